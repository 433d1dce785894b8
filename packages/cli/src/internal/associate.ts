import * as KpsError from "@effect-kps/core/KpsError"
import * as Signer from "@effect-kps/core/Signer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * The 202 answer of `POST /v3/{project_id}/keypairs/associate`: the task to wait on. Extra fields
 * are ignored, `server_id` is optional.
 */
export class Accepted extends /* @__PURE__ */ Schema.Class<Accepted>("@effect-kps/cli/Accepted")({
  taskId: Schema.propertySignature(Schema.NonEmptyString).pipe(Schema.fromKey("task_id")),
  serverId: Schema.optionalWith(Schema.String, { nullable: true }).pipe(Schema.fromKey("server_id"))
}) {}

const decodeAccepted = /* @__PURE__ */ Schema.decodeUnknown(Accepted, { onExcessProperty: "ignore" })

/** What to associate, and where. */
export interface Request {
  /** The KPS endpoint, such as `http://127.0.0.1:PORT`. */
  readonly endpoint: string
  readonly projectId: string
  readonly keypairName: string
  readonly serverId: string
  readonly key: Signer.SigningKey
}

/**
 * Associates a key pair with a server: `POST /v3/{project_id}/keypairs/associate` with
 * `{keypair_name, server: {id}}`, signed with SDK-HMAC-SHA256. Answers the task to wait on.
 */
export const associate = (
  request: Request
): Effect.Effect<
  Accepted,
  KpsError.KpsApiError | KpsError.KpsDecodeError | KpsError.KpsTransportError,
  HttpClient.HttpClient
> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const url = `${request.endpoint.replace(/\/+$/, "")}/v3/${encodeURIComponent(request.projectId)}/keypairs/associate`
    const body = JSON.stringify({ keypair_name: request.keypairName, server: { id: request.serverId } })
    const signed = yield* Signer.signRequest(
      HttpClientRequest.post(url).pipe(
        HttpClientRequest.setHeaders({ "Content-Type": "application/json", "X-Project-Id": request.projectId }),
        HttpClientRequest.bodyText(body, "application/json")
      ),
      request.key
    )
    const response = yield* client.execute(signed).pipe(
      Effect.mapError((error) => new KpsError.KpsTransportError({ reason: "Transport", description: error.message }))
    )
    const requestId = response.headers["x-request-id"]
    const text = yield* response.text.pipe(
      Effect.mapError((error) => new KpsError.KpsTransportError({ reason: "Transport", description: error.message }))
    )
    if (response.status < 200 || response.status >= 300) {
      return yield* KpsError.fromErrorAnswer({ status: response.status, body: text, requestId })
    }
    return yield* Schema.decodeUnknown(Schema.parseJson())(text).pipe(
      Effect.flatMap(decodeAccepted),
      Effect.mapError((error) =>
        new KpsError.KpsDecodeError({
          status: response.status,
          requestId,
          description: KpsError.describeParseError(error)
        })
      )
    )
  }).pipe(Effect.scoped)

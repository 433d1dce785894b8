/**
 * The rules of Huawei's API gateway in front of KPS, as this project's test servers apply them:
 * the `KpsTesting` stub and the `@effect-kps/emulator` server both answer through this module, so
 * they agree on who gets in and on what a missing route or task gets.
 *
 * In the gateway's order: a request that matches no API gets 404 `APIG.0101`; then an
 * `X-Auth-Token` must be one of the accepted tokens; without one, an SDK-HMAC-SHA256
 * `Authorization` must verify (core's `Signer.verify`) against an accepted access key, its
 * `X-Sdk-Date` within 15 minutes of the `Clock`. Anything else gets 401 `APIG.0301`. A well-formed
 * task id that names no task gets 404 `KPS.0001`. A list's page that cannot be read gets 400
 * `APIG.0201`.
 *
 * @since 0.1.0
 */
import * as Signer from "@effect-kps/core/Signer"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * An answer the gateway gives instead of passing a request on: its HTTP status, Huawei's
 * `error_code` and `error_msg`, and any headers the answer carries (`Allow`, say).
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayError
  extends /* @__PURE__ */ Schema.TaggedError<GatewayError>("@effect-kps/testing/GatewayError")("GatewayError", {
    status: Schema.Number,
    errorCode: Schema.String,
    errorMessage: Schema.String,
    headers: Schema.Record({ key: Schema.String, value: Schema.String })
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `HTTP ${this.status} ${this.errorCode}: ${this.errorMessage}`
  }
}

/**
 * Whom the gateway lets in: IAM tokens, and access keys with their (redacted) secret keys.
 *
 * @since 0.1.0
 * @category models
 */
export interface Keys {
  readonly tokens: ReadonlySet<string>
  readonly secrets: ReadonlyMap<string, Redacted.Redacted<string>>
}

/**
 * Makes the {@link Keys} from lists: tokens, and access key id → secret key. Secrets are kept
 * `Redacted` from here on.
 *
 * @example
 * ```ts
 * import { Gateway } from "@effect-kps/testing"
 *
 * const keys = Gateway.keys({ tokens: ["t-1"], accessKeys: { "AK0001": "secret" } })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const keys = (options: {
  readonly tokens?: Iterable<string> | undefined
  readonly accessKeys?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
}): Keys => ({
  tokens: new Set(options.tokens ?? []),
  secrets: new Map(
    Object.entries(options.accessKeys ?? {}).map((
      [accessKeyId, secret]
    ) => [accessKeyId, Redacted.isRedacted(secret) ? secret : Redacted.make(secret)])
  )
})

/**
 * A request as the gateway sees it before its body: method, full URL (path and query as sent)
 * and headers with lower-case names.
 *
 * @since 0.1.0
 * @category models
 */
export interface Head {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
}

/**
 * What the headers alone decide about a request that is not refused: `Admitted` (a known token),
 * or `SignatureToCheck` (a signature whose form, date and access key are fine, to be verified over
 * the body with {@link authenticate}).
 *
 * @since 0.1.0
 * @category models
 */
export type Admission = "Admitted" | "SignatureToCheck"

/**
 * 401 `APIG.0301`, "Incorrect IAM authentication information", with what was wrong.
 *
 * @since 0.1.0
 * @category answers
 */
export const unauthorized = (detail: string): GatewayError =>
  new GatewayError({
    status: 401,
    errorCode: "APIG.0301",
    errorMessage: `Incorrect IAM authentication information: ${detail}`,
    headers: {}
  })

/**
 * 404 `APIG.0101`: no API for this path, or, with `allowed`, none for this method (the gateway
 * routes by method and path); then the answer names the methods that exist in `Allow`.
 *
 * @since 0.1.0
 * @category answers
 */
export const routeNotFound = (allowed?: ReadonlyArray<string>): GatewayError =>
  allowed === undefined || allowed.length === 0 ?
    new GatewayError({
      status: 404,
      errorCode: "APIG.0101",
      errorMessage: "The API does not exist or has not been published in the environment",
      headers: {}
    }) :
    new GatewayError({
      status: 404,
      errorCode: "APIG.0101",
      errorMessage: `The API does not exist for this method; allowed: ${allowed.join(", ")}`,
      headers: { allow: allowed.join(", ") }
    })

/**
 * 404 `KPS.0001`: the task id is well-formed, but no task has it (in this project).
 *
 * @since 0.1.0
 * @category answers
 */
export const unknownTask = (taskId: string): GatewayError =>
  new GatewayError({
    status: 404,
    errorCode: "KPS.0001",
    errorMessage: `The task ${taskId} does not exist`,
    headers: {}
  })

/**
 * 400 `APIG.0201`: the request itself is malformed (a body or a query that cannot be read).
 *
 * @since 0.1.0
 * @category answers
 */
export const badRequest = (message: string): GatewayError =>
  new GatewayError({ status: 400, errorCode: "APIG.0201", errorMessage: message, headers: {} })

const pageParameter = (
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number
): Either.Either<number, GatewayError> => {
  const values = params.getAll(name)
  if (values.length === 0) return Either.right(fallback)
  if (values.length > 1 || !/^\d{1,9}$/.test(values[0])) {
    return Either.left(badRequest(`${name} must be a whole number`))
  }
  const value = Number(values[0])
  return value < min || value > max
    ? Either.left(badRequest(`${name} must be between ${min} and ${max}`))
    : Either.right(value)
}

/**
 * The page a list request asks for: `limit` (1 to 1000, default 1000) and `offset` (0 or more,
 * default 0), each at most once and in digits, or the 400 {@link badRequest} it gets. An `Either`,
 * so that it can be yielded in an `Effect`.
 *
 * @example
 * ```ts
 * import { Gateway } from "@effect-kps/testing"
 *
 * Gateway.pageOf(new URLSearchParams("limit=10&offset=20")) // Either.right({ limit: 10, offset: 20 })
 * Gateway.pageOf(new URLSearchParams("limit=0")) // Either.left(GatewayError { status: 400, errorCode: "APIG.0201", ... })
 * ```
 *
 * @since 0.1.0
 * @category routing
 */
export const pageOf = (
  params: URLSearchParams
): Either.Either<{ readonly limit: number; readonly offset: number }, GatewayError> =>
  Either.flatMap(
    pageParameter(params, "limit", 1000, 1, 1000),
    (limit) => Either.map(pageParameter(params, "offset", 0, 0, 999_999_999), (offset) => ({ limit, offset }))
  )

/**
 * A path segment percent-decoded, or `undefined` when it is not valid percent-encoded UTF-8.
 *
 * @since 0.1.0
 * @category routing
 */
export const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

const signatureFailure = (error: Signer.SignatureError): GatewayError =>
  // The reason says which check failed; never the secret, nor the expected signature.
  unauthorized(`verify aksk signature fail (${error.reason})`)

/**
 * Decides what the headers alone can: a token is accepted or refused, a request without
 * credentials is refused, and a signature is refused when it is malformed, its date is off or its
 * access key unknown. So a server need not read the body of a request it is going to refuse.
 *
 * @since 0.1.0
 * @category authentication
 */
export const admit = (keys: Keys, head: Head): Effect.Effect<Admission, GatewayError> => {
  const token = head.headers["x-auth-token"]
  if (token !== undefined) {
    return keys.tokens.has(token) ? Effect.succeed("Admitted") : Effect.fail(unauthorized("decrypt token fail"))
  }
  if (head.headers["authorization"] === undefined) return Effect.fail(unauthorized("x-auth-token not found"))
  // `Signer.verify` checks the form, the date and then asks for the access key's secret: asked for
  // a known key, it has passed every check the headers allow, and answering none stops it short of
  // the signature, which needs the body.
  let known = false
  return Signer.verify(head, (accessKeyId) => {
    known = keys.secrets.has(accessKeyId)
    return undefined
  }).pipe(
    Effect.as<Admission>("SignatureToCheck"),
    Effect.catchAll((error) =>
      error.reason === "UnknownAccessKey" && known ?
        Effect.succeed<Admission>("SignatureToCheck") :
        Effect.fail(signatureFailure(error))
    )
  )
}

/**
 * Authenticates a whole request, body included (the signature covers the body's hash): succeeds
 * when the gateway lets it in, fails with the 401 `APIG.0301` it answers otherwise.
 *
 * @example
 * ```ts
 * import { Gateway } from "@effect-kps/testing"
 * import { Effect } from "effect"
 *
 * const keys = Gateway.keys({ tokens: ["t-1"] })
 * const checked = Gateway.authenticate(keys, {
 *   method: "GET",
 *   url: new URL("http://127.0.0.1/v3/projects"),
 *   headers: { "x-auth-token": "t-2" }
 * })
 * // Effect.flip(checked): GatewayError { status: 401, errorCode: "APIG.0301", ... }
 * ```
 *
 * @since 0.1.0
 * @category authentication
 */
export const authenticate = (keys: Keys, request: Signer.Request): Effect.Effect<void, GatewayError> =>
  Effect.flatMap(admit(keys, request), (admission) =>
    admission === "Admitted" ?
      Effect.void :
      Effect.asVoid(
        Signer.verify(request, (accessKeyId) => keys.secrets.get(accessKeyId)).pipe(
          Effect.mapError(signatureFailure)
        )
      ))

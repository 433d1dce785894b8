import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import { decodeResponse, type KeypairTask } from "../KeypairTask.js"
import type { GetTaskOptions, Options, Service } from "../KpsClient.js"
import { KpsApiError, KpsDecodeError, type KpsError, KpsInvalidInput, KpsTransportError } from "../KpsError.js"
import * as KpsRegion from "../KpsRegion.js"
import * as Authentication from "./authentication.js"
import * as ErrorBody from "./errorBody.js"
import { percentEncode } from "./percentEncoding.js"
import * as TransportFailure from "./transportFailure.js"
import { validateEndpoint, validateHeaderText, validateId, validateTimeout } from "./validation.js"
import { version } from "./version.js"

export const defaultTimeout: Duration.Duration = Duration.seconds(30)

const resolveEndpoint = (options: Options): Effect.Effect<string, KpsInvalidInput> =>
  options.endpoint !== undefined
    ? validateEndpoint(options.endpoint)
    : options.region !== undefined
    ? KpsRegion.endpoint(options.region)
    : Effect.fail(
      new KpsInvalidInput({
        field: "endpoint",
        description: "give `region` (such as cn-north-4) or an explicit `endpoint`"
      })
    )

const isSuccess = (status: number) => status >= 200 && status < 300

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const preview = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)

export const make = (options: Options): Effect.Effect<Service, KpsInvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const endpoint = yield* resolveEndpoint(options)
    const defaultProjectId = options.projectId === undefined
      ? undefined
      : yield* validateId("projectId", options.projectId)
    const defaultRequestTimeout = yield* validateTimeout("timeout", options.timeout ?? defaultTimeout)
    const authenticator = yield* Authentication.make(options.credentials)
    const userAgentSuffix = options.userAgent === undefined
      ? ""
      : yield* validateHeaderText("userAgent", options.userAgent)
    const userAgent = userAgentSuffix === "" ? `effect-kps/${version}` : `effect-kps/${version} ${userAgentSuffix}`

    // One span per call is ours: the platform's own client span and its trace headers are off,
    // which also spares CORS preflights in browsers.
    const client = (options.transformClient ?? identity)(yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerDisabledWhen(() => true)
    )
    const redactedHeaderNames = yield* Effect.map(
      FiberRef.get(Headers.currentRedactedNames),
      (names) => [...names, ...Authentication.secretHeaderNames]
    )

    const transportError = (error: HttpClientError.HttpClientError) =>
      new KpsTransportError({
        reason: TransportFailure.classify(error.cause),
        description: authenticator.scrub(TransportFailure.describe(error))
      })

    const readResponse = (response: HttpClientResponse.HttpClientResponse, taskId: string) =>
      Effect.gen(function*() {
        const status = response.status
        const requestId = response.headers["x-request-id"]
        yield* Effect.annotateCurrentSpan({ "http.response.status_code": status, "kps.request_id": requestId })
        yield* Effect.logDebug("KPS answered").pipe(
          Effect.annotateLogs({
            "http.response.status_code": status,
            "kps.request_id": requestId ?? "",
            "url.full": response.request.url
          })
        )
        const body = yield* response.text
        if (isSuccess(status)) {
          const decodeError = (description: string) =>
            new KpsDecodeError({ status, requestId, description: authenticator.scrub(description) })
          if (body.trim() === "") return yield* decodeError("the body is empty")
          const json = parseJson(body)
          if (!json.ok) return yield* decodeError(`the body is not JSON: ${preview(body)}`)
          return yield* Effect.mapError(
            decodeResponse(taskId)(json.value),
            (error) => decodeError(`the body is not a task: ${ParseResult.TreeFormatter.formatErrorSync(error)}`)
          )
        }
        const parsed = ErrorBody.parse(body)
        return yield* new KpsApiError({
          status,
          errorCode: parsed.errorCode,
          errorMessage: authenticator.scrub(parsed.errorMessage),
          requestId: requestId ?? parsed.requestId,
          retryAfter: response.headers["retry-after"]
        })
      })

    const send = (request: HttpClientRequest.HttpClientRequest, taskId: string, timeout: Duration.Duration) =>
      client.execute(request).pipe(
        Effect.flatMap((response) => readResponse(response, taskId)),
        Effect.catchTags({ RequestError: transportError, ResponseError: transportError }),
        Duration.isFinite(timeout)
          ? Effect.timeoutFail({
            duration: timeout,
            onTimeout: () =>
              new KpsTransportError({ reason: "Timeout", description: `no answer within ${Duration.format(timeout)}` })
          })
          : identity,
        Effect.locally(Headers.currentRedactedNames, redactedHeaderNames)
      )

    const getTask = Effect.fn("KpsClient.getTask")(
      function*(taskId: string, callOptions?: GetTaskOptions): Effect.fn.Return<KeypairTask, KpsError> {
        const id = yield* validateId("taskId", taskId)
        const projectId = callOptions?.projectId !== undefined
          ? yield* validateId("projectId", callOptions.projectId)
          : defaultProjectId ??
            (yield* new KpsInvalidInput({
              field: "projectId",
              description: "no project id: give `projectId` to the client or to this call"
            }))
        const timeout = callOptions?.timeout === undefined
          ? defaultRequestTimeout
          : yield* validateTimeout("timeout", callOptions.timeout)
        const url = `${endpoint}/v3/${percentEncode(projectId)}/tasks/${percentEncode(id)}`
        yield* Effect.annotateCurrentSpan({
          "kps.task_id": id,
          "kps.project_id": projectId,
          "http.request.method": "GET",
          "url.full": url
        })
        const request = yield* authenticator.authenticate(
          HttpClientRequest.get(url).pipe(
            HttpClientRequest.setHeaders({
              "Content-Type": "application/json",
              "Accept": "application/json",
              "User-Agent": userAgent,
              "X-Project-Id": projectId
            })
          )
        )
        return yield* send(request, id, timeout)
      }
    )

    return { endpoint, getTask } satisfies Service
  })

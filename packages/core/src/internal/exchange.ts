import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { constTrue } from "effect/Function"
import * as LogLevel from "effect/LogLevel"
import type * as ParseResult from "effect/ParseResult"
import type * as Tracer from "effect/Tracer"
import { KpsApiError, KpsDecodeError, type KpsError, KpsTransportError } from "../KpsError.js"
import * as Body from "./body.js"
import * as ErrorBody from "./errorBody.js"
import * as ParseIssue from "./parseIssue.js"
import { KpsResponse } from "./response.js"
import * as Scrubber from "./scrubber.js"
import * as Sending from "./sending.js"
import * as TransportFailure from "./transportFailure.js"
import { currentRequestTimeout } from "./transportTimeouts.js"

/** Sends one request and reads its answer into a value or a typed error. */
export type Exchange = <A>(
  request: HttpClientRequest.HttpClientRequest,
  options: {
    readonly timeout: Duration.Duration
    /** Reads the JSON body; without it, any 2xx body is read and ignored (the answer is `void`). */
    readonly decode: ((json: unknown) => Effect.Effect<A, ParseResult.ParseError>) | undefined
    /** What the body should be, for error messages: "a task". */
    readonly expected: string
    /**
     * The call's span, which gets the request's method, URL and server, then the answer's status
     * and request id, or the failure's `error.type`.
     */
    readonly span: Tracer.Span
    /** A body holding a secret of this call, put on as the last step (see `Sending`). */
    readonly secretBody?: Sending.SecretBody | undefined
  }
) => Effect.Effect<A, KpsApiError | KpsDecodeError | KpsTransportError>

const isSuccess = (status: number) => status >= 200 && status < 300

/** How much of an unreadable 2xx body a decode error quotes. */
const previewLength = 120

const disabled = constTrue

/**
 * Around each exchange the fiber gets the settings the layers below read: the platform's own
 * client span is off (each call is one span of ours), a transport that enforces timeouts gets
 * the call's timeout, and the sending step gets the call's secret body, if any. Each is put back
 * as it was however the exchange ends: an answer, a failure, a defect or an interruption. Each
 * change copies all the fiber's values, and this runs on every poll: a setting the fiber has
 * already (no secret body, as on every read) is left alone.
 */
const withSettings = <A, E>(
  effect: Effect.Effect<A, E>,
  timeout: Duration.Duration | undefined,
  secretBody: Sending.SecretBody | undefined
): Effect.Effect<A, E> =>
  Effect.withFiberRuntime((fiber) => {
    let settled = effect
    if (fiber.getFiberRef(Sending.currentSecretBody) !== secretBody) {
      settled = Effect.locally(settled, Sending.currentSecretBody, secretBody)
    }
    if (fiber.getFiberRef(currentRequestTimeout) !== timeout) {
      settled = Effect.locally(settled, currentRequestTimeout, timeout)
    }
    if (fiber.getFiberRef(HttpClient.currentTracerDisabledWhen) !== disabled) {
      settled = Effect.locally(settled, HttpClient.currentTracerDisabledWhen, disabled)
    }
    return settled
  })

/**
 * Puts a failure on a client span as OpenTelemetry's HTTP conventions name it: `error.type` is
 * the status code of an error answer (`"429"`, `"503"`), else the error's tag (`KpsTransportError`,
 * with its reason in `kps.error.reason`; `KpsDecodeError`; `KpsInvalidInput`). Low-cardinality,
 * and free of anything that came over the wire.
 */
export const recordFailure = <E extends KpsError>(span: Tracer.Span, error: E): E => {
  span.attribute("error.type", error._tag === "KpsApiError" ? String(error.status) : error._tag)
  if (error._tag === "KpsTransportError") span.attribute("kps.error.reason", error.reason)
  return error
}

/** Where a request goes, as a client span names it. */
interface Server {
  /** The origin and a `/`: a URL that starts with it goes to this server. */
  readonly prefix: string
  readonly address: string
  readonly port: number
}

const parseServer = (url: string): Server | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  const host = parsed.hostname
  return {
    prefix: `${parsed.origin}/`,
    // An IPv6 literal without its brackets, as `server.address` wants it.
    address: host.startsWith("[") ? host.slice(1, -1) : host,
    port: parsed.port !== "" ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80
  }
}

/** The full URL of a request: its `url`, unless query parameters were set apart (the IAM lookup's). */
const fullUrl = (request: HttpClientRequest.HttpClientRequest): string => {
  if (request.urlParams.length === 0) return request.url
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  return Either.isRight(url) ? url.right.toString() : request.url
}

const isDebugEnabled = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
  LogLevel.lessThanEqual(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)

/** The body, bounded: through the answer's own read when it is ours, else read here. */
const bodyOf = (response: HttpClientResponse.HttpClientResponse) =>
  response instanceof KpsResponse ? response.body : Body.read(response)

/**
 * The exchange of a client. It runs on every call, so it is written as plain pipelines: no
 * generators, and no log annotations unless debug logging is on. Every text that came over the
 * wire and ends in an error or a span is bounded and scrubbed of the client's secrets.
 */
export const make = (
  client: HttpClient.HttpClient,
  scrub: Scrubber.Scrubber,
  timeouts: {
    /** The transport aborts requests on `currentRequestTimeout` itself. */
    readonly transport: boolean
    /**
     * A fiber races the whole exchange too: needed unless the transport enforces timeouts and
     * nothing runs between the client and the transport (a `transformClient` could hang, retry or
     * sleep where no transport timer sees it).
     */
    readonly overall: boolean
  }
): Exchange => {
  const transportError = (error: HttpClientError.HttpClientError, span: Tracer.Span, scrub: Scrubber.Scrubber) =>
    recordFailure(
      span,
      new KpsTransportError({
        reason: TransportFailure.classify(error.cause),
        description: Scrubber.keep(scrub, TransportFailure.describe(error), ErrorBody.limits.errorMessage)
      })
    )

  // A client sends to one endpoint (and once to IAM): the server is parsed once per origin, not
  // once per call.
  let lastServer: Server | undefined
  const serverOf = (url: string): Server | undefined => {
    if (lastServer === undefined || !url.startsWith(lastServer.prefix)) lastServer = parseServer(url)
    return lastServer
  }

  const logAnswer = (status: number, requestId: string | undefined, url: string) =>
    Effect.logDebug("KPS answered").pipe(
      Effect.annotateLogs({ "http.response.status_code": status, "kps.request_id": requestId ?? "", "url.full": url })
    )

  const read = <A>(
    response: HttpClientResponse.HttpClientResponse,
    decode: ((json: unknown) => Effect.Effect<A, ParseResult.ParseError>) | undefined,
    expected: string,
    span: Tracer.Span,
    scrub: Scrubber.Scrubber
  ): Effect.Effect<A, KpsApiError | KpsDecodeError | KpsTransportError> => {
    const status = response.status
    const requestIdHeader = response.headers["x-request-id"]
    const requestId = ErrorBody.keep(scrub, requestIdHeader, ErrorBody.limits.requestId)
    span.attribute("http.response.status_code", status)
    if (requestId !== undefined) span.attribute("kps.request_id", requestId)
    const decodeError = (description: string) =>
      recordFailure(span, new KpsDecodeError({ status, requestId, description }))
    const interpret = (body: string): Effect.Effect<A, KpsApiError | KpsDecodeError> => {
      if (!isSuccess(status)) {
        return Effect.fail(recordFailure(
          span,
          new KpsApiError(ErrorBody.apiErrorFields({
            status,
            body,
            requestId: requestIdHeader,
            retryAfter: response.headers["retry-after"]
          }, scrub))
        ))
      }
      if (decode === undefined) return Effect.void as Effect.Effect<A>
      if (body.trim() === "") return Effect.fail(decodeError("the body is empty"))
      const json = Either.try(() => JSON.parse(body) as unknown)
      if (Either.isLeft(json)) {
        const preview = Scrubber.keep(scrub, body, previewLength)
        return Effect.fail(
          decodeError(`the body is not JSON: ${JSON.stringify(preview.length < body.length ? `${preview}…` : preview)}`)
        )
      }
      return Effect.mapError(
        decode(json.right),
        (error) => decodeError(`the body is not ${expected}: ${ParseIssue.describe(error)}`)
      )
    }
    const body = bodyOf(response).pipe(
      Effect.mapError((error): KpsApiError | KpsDecodeError | KpsTransportError =>
        !(error instanceof Body.BodyTooLarge)
          ? transportError(error, span, scrub)
          : isSuccess(status)
          ? decodeError(Body.describeTooLarge(error))
          : recordFailure(
            span,
            new KpsApiError({ status, errorCode: "", errorMessage: Body.describeTooLarge(error), requestId })
          )
      ),
      Effect.flatMap(interpret)
    )
    return Effect.withFiberRuntime<A, KpsApiError | KpsDecodeError | KpsTransportError>((fiber) =>
      isDebugEnabled(fiber) ? Effect.zipRight(logAnswer(status, requestId, response.request.url), body) : body
    )
  }

  return (request, { decode, expected, secretBody, span, timeout }) => {
    const enforced = Duration.isFinite(timeout) && timeouts.transport ? timeout : undefined
    const callScrub = secretBody === undefined ? scrub : secretBody.scrub
    // The request as OpenTelemetry's HTTP client conventions name it. The URL holds no secret:
    // credentials travel in headers, and an endpoint with user info is refused.
    span.attribute("http.request.method", request.method)
    span.attribute("url.full", fullUrl(request))
    const server = serverOf(request.url)
    if (server !== undefined) {
      span.attribute("server.address", server.address)
      span.attribute("server.port", server.port)
    }
    const answered = withSettings(
      client.execute(request).pipe(
        Effect.flatMap((response) => read(response, decode, expected, span, callScrub)),
        Effect.catchIf(HttpClientError.isHttpClientError, (error) =>
          // A transformClient with `filterStatusOk` turns an error answer into a ResponseError:
          // it is still an answer, read like any other.
          error._tag === "ResponseError" && error.reason === "StatusCode"
            ? read(error.response, decode, expected, span, callScrub)
            : Effect.fail(transportError(error, span, callScrub)))
      ),
      enforced,
      secretBody
    )
    return !Duration.isFinite(timeout) || !timeouts.overall
      ? answered
      : Effect.timeoutFail(answered, {
        duration: timeout,
        onTimeout: () =>
          recordFailure(
            span,
            new KpsTransportError({ reason: "Timeout", description: `no answer within ${Duration.format(timeout)}` })
          )
      })
  }
}

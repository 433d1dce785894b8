import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { constTrue } from "effect/Function"
import * as LogLevel from "effect/LogLevel"
import * as ParseResult from "effect/ParseResult"
import type * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import { KpsApiError, KpsDecodeError, KpsTransportError } from "../KpsError.js"
import { secretHeaderNames } from "./authentication.js"
import * as ErrorBody from "./errorBody.js"
import * as TransportFailure from "./transportFailure.js"
import { currentRequestTimeout } from "./transportTimeouts.js"

/** Sends one request and reads its answer into a value or a typed error. */
export type Exchange = <A>(
  request: HttpClientRequest.HttpClientRequest,
  options: {
    readonly timeout: Duration.Duration
    readonly decode: (json: unknown) => Effect.Effect<A, ParseResult.ParseError>
    /** What the body should be, for error messages: "a task". */
    readonly expected: string
    /** The call's span, which gets the status and request id. */
    readonly span: Tracer.Span
  }
) => Effect.Effect<A, KpsApiError | KpsDecodeError | KpsTransportError>

const isSuccess = (status: number) => status >= 200 && status < 300

/** The largest body read: a task is a few hundred bytes; anything near this is not a KPS answer. */
export const maxBodyBytes = 1024 * 1024

class BodyTooLarge {
  constructor(readonly bytes: number | undefined) {}
}

const tooLargeDescription = (tooLarge: BodyTooLarge) =>
  `the body${
    tooLarge.bytes === undefined ? "" : ` of ${tooLarge.bytes} bytes`
  } exceeds the ${maxBodyBytes}-byte limit and was not read`

/**
 * Reads a body of at most {@link maxBodyBytes}. A declared `Content-Length` is checked before
 * reading; a body without one is read as a stream and abandoned once it passes the limit.
 */
const readBounded = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.ResponseError | BodyTooLarge> => {
  const declared = response.headers["content-length"]
  if (declared !== undefined) {
    const bytes = Number(declared)
    return bytes > maxBodyBytes ? Effect.fail(new BodyTooLarge(bytes)) : response.text
  }
  const decoder = new TextDecoder()
  return response.stream.pipe(
    Stream.mapAccumEffect(0, (total, chunk) =>
      total + chunk.length > maxBodyBytes
        ? Effect.fail(new BodyTooLarge(undefined))
        : Effect.succeed([total + chunk.length, decoder.decode(chunk, { stream: true })] as const)),
    Stream.runFold("", (text, part) => text + part),
    Effect.map((text) => text + decoder.decode()),
    // An answer with no body at all (a 204, say) has no stream to read: it is an empty body.
    Effect.catchIf(
      (error): error is HttpClientError.ResponseError =>
        error instanceof HttpClientError.ResponseError && error.reason === "EmptyBody",
      () => Effect.succeed("")
    )
  )
}

const preview = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)

const disabled = constTrue

/**
 * Around each exchange the fiber gets two settings the transport reads: the platform's own
 * client span is off (each call is one span of ours), and a transport that enforces timeouts gets
 * the call's timeout. Both are set just before sending and put back once the answer (or the
 * failure) is read: plain sets, not `Effect.locally` (as `HttpClient.withTracerDisabledWhen`
 * uses), whose acquire-use-release cost a tenth of the throughput each at 64 concurrent calls.
 */
const enter = (timeout: Duration.Duration | undefined) =>
  Effect.zipLeft(
    FiberRef.getAndSet(HttpClient.currentTracerDisabledWhen, disabled),
    timeout === undefined ? Effect.void : FiberRef.set(currentRequestTimeout, timeout)
  )

const leave = (previous: Predicate.Predicate<HttpClientRequest.HttpClientRequest>) =>
  Effect.zipRight(
    FiberRef.set(HttpClient.currentTracerDisabledWhen, previous),
    FiberRef.set(currentRequestTimeout, undefined)
  )

const isDebugEnabled = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
  LogLevel.lessThanEqual(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)

/**
 * The exchange of a client. It runs on every call, so it is written as plain pipelines: no
 * generators, no log annotations unless debug logging is on, and the redaction of secret headers
 * scoped around the call only when a `transformClient` could print them.
 */
export const make = (
  client: HttpClient.HttpClient,
  scrub: (text: string) => string,
  redactedHeaderNames: ReadonlyArray<string | RegExp> | undefined,
  /** The transport aborts requests on `currentRequestTimeout` itself: no fiber races it. */
  transportTimeouts: boolean
): Exchange => {
  const redacted = redactedHeaderNames === undefined ? undefined : [...redactedHeaderNames, ...secretHeaderNames]

  const transportError = (error: HttpClientError.HttpClientError) =>
    new KpsTransportError({
      reason: TransportFailure.classify(error.cause),
      description: scrub(TransportFailure.describe(error))
    })

  const logAnswer = (status: number, requestId: string | undefined, url: string) =>
    Effect.logDebug("KPS answered").pipe(
      Effect.annotateLogs({ "http.response.status_code": status, "kps.request_id": requestId ?? "", "url.full": url })
    )

  const read = <A>(
    response: HttpClientResponse.HttpClientResponse,
    decode: (json: unknown) => Effect.Effect<A, ParseResult.ParseError>,
    expected: string,
    span: Tracer.Span,
    settled: Effect.Effect<void>
  ): Effect.Effect<A, KpsApiError | KpsDecodeError | KpsTransportError> => {
    const status = response.status
    const requestId = response.headers["x-request-id"]
    span.attribute("http.response.status_code", status)
    if (requestId !== undefined) span.attribute("kps.request_id", requestId)
    const decodeError = (description: string) =>
      new KpsDecodeError({ status, requestId, description: scrub(description) })
    const interpret = (body: string): Effect.Effect<A, KpsApiError | KpsDecodeError> => {
      if (!isSuccess(status)) {
        const parsed = ErrorBody.parse(body)
        return Effect.fail(
          new KpsApiError({
            status,
            errorCode: parsed.errorCode,
            errorMessage: scrub(parsed.errorMessage),
            requestId: requestId ?? parsed.requestId,
            retryAfter: response.headers["retry-after"]
          })
        )
      }
      if (body.trim() === "") return Effect.fail(decodeError("the body is empty"))
      const json = Either.try(() => JSON.parse(body) as unknown)
      if (Either.isLeft(json)) return Effect.fail(decodeError(`the body is not JSON: ${preview(body)}`))
      return Effect.mapError(
        decode(json.right),
        (error) => decodeError(`the body is not ${expected}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`)
      )
    }
    const body = readBounded(response).pipe(
      Effect.mapError((error): KpsApiError | KpsDecodeError | KpsTransportError =>
        !(error instanceof BodyTooLarge)
          ? transportError(error)
          : isSuccess(status)
          ? decodeError(tooLargeDescription(error))
          : new KpsApiError({ status, errorCode: "", errorMessage: tooLargeDescription(error), requestId })
      ),
      Effect.flatMap(interpret)
    )
    // The transport has sent the request and started its timer: the settings are put back.
    return Effect.zipRight(
      settled,
      Effect.withFiberRuntime<A, KpsApiError | KpsDecodeError | KpsTransportError>((fiber) =>
        isDebugEnabled(fiber) ? Effect.zipRight(logAnswer(status, requestId, response.request.url), body) : body
      )
    )
  }

  return (request, { decode, expected, span, timeout }) => {
    const enforced = Duration.isFinite(timeout) && transportTimeouts ? timeout : undefined
    const answered = Effect.flatMap(enter(enforced), (previous) => {
      const settled = leave(previous)
      return client.execute(request).pipe(
        Effect.flatMap((response) => read(response, decode, expected, span, settled)),
        Effect.catchIf(HttpClientError.isHttpClientError, (error) =>
          // A transformClient with `filterStatusOk` turns an error answer into a ResponseError:
          // it is still an answer, read like any other.
          error._tag === "ResponseError" && error.reason === "StatusCode"
            ? read(error.response, decode, expected, span, settled)
            : Effect.zipRight(settled, Effect.fail(transportError(error))))
      )
    })
    const bounded = !Duration.isFinite(timeout) || transportTimeouts
      ? answered
      : Effect.timeoutFail(answered, {
        duration: timeout,
        onTimeout: () =>
          new KpsTransportError({ reason: "Timeout", description: `no answer within ${Duration.format(timeout)}` })
      })
    return redacted === undefined ? bounded : Effect.locally(bounded, Headers.currentRedactedNames, redacted)
  }
}

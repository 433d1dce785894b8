import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import * as Stream from "effect/Stream"
import { KpsApiError, KpsDecodeError, KpsTransportError } from "../KpsError.js"
import { secretHeaderNames } from "./authentication.js"
import * as ErrorBody from "./errorBody.js"
import * as TransportFailure from "./transportFailure.js"

/** Sends one request and reads its answer into a value or a typed error. */
export type Exchange = <A>(
  request: HttpClientRequest.HttpClientRequest,
  options: {
    readonly timeout: Duration.Duration
    readonly decode: (json: unknown) => Effect.Effect<A, ParseResult.ParseError>
    /** What the body should be, for error messages: "a task". */
    readonly expected: string
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
    Effect.map((text) => text + decoder.decode())
  )
}

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const preview = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)

export const make = (
  client: HttpClient.HttpClient,
  scrub: (text: string) => string,
  redactedHeaderNames: ReadonlyArray<string | RegExp>
): Exchange => {
  const redacted = [...redactedHeaderNames, ...secretHeaderNames]

  const transportError = (error: HttpClientError.HttpClientError) =>
    new KpsTransportError({
      reason: TransportFailure.classify(error.cause),
      description: scrub(TransportFailure.describe(error))
    })

  const read = <A>(
    response: HttpClientResponse.HttpClientResponse,
    decode: (json: unknown) => Effect.Effect<A, ParseResult.ParseError>,
    expected: string
  ) =>
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
      const body = yield* readBounded(response).pipe(
        Effect.mapError((error): KpsApiError | KpsDecodeError | KpsTransportError =>
          !(error instanceof BodyTooLarge)
            ? transportError(error)
            : isSuccess(status)
            ? new KpsDecodeError({ status, requestId, description: tooLargeDescription(error) })
            : new KpsApiError({ status, errorCode: "", errorMessage: tooLargeDescription(error), requestId })
        )
      )
      if (isSuccess(status)) {
        const decodeError = (description: string) =>
          new KpsDecodeError({ status, requestId, description: scrub(description) })
        if (body.trim() === "") return yield* decodeError("the body is empty")
        const json = parseJson(body)
        if (!json.ok) return yield* decodeError(`the body is not JSON: ${preview(body)}`)
        return yield* Effect.mapError(
          decode(json.value),
          (error) => decodeError(`the body is not ${expected}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`)
        )
      }
      const parsed = ErrorBody.parse(body)
      return yield* new KpsApiError({
        status,
        errorCode: parsed.errorCode,
        errorMessage: scrub(parsed.errorMessage),
        requestId: requestId ?? parsed.requestId,
        retryAfter: response.headers["retry-after"]
      })
    })

  return (request, { decode, expected, timeout }) =>
    client.execute(request).pipe(
      Effect.flatMap((response) => read(response, decode, expected)),
      Effect.catchTags({
        RequestError: transportError,
        // A transformClient with `filterStatusOk` turns an error answer into a ResponseError:
        // it is still an answer, read like any other.
        ResponseError: (error) =>
          error.reason === "StatusCode" ? read(error.response, decode, expected) : transportError(error)
      }),
      Duration.isFinite(timeout)
        ? Effect.timeoutFail({
          duration: timeout,
          onTimeout: () =>
            new KpsTransportError({ reason: "Timeout", description: `no answer within ${Duration.format(timeout)}` })
        })
        : identity,
      Effect.locally(Headers.currentRedactedNames, redacted)
    )
}

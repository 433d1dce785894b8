import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** The largest body read: a task is a few hundred bytes; anything near this is not a KPS answer. */
export const maxBodyBytes = 1024 * 1024

/** A body refused for its size: declared (`bytes`), or found while reading (`undefined`). */
export class BodyTooLarge {
  readonly _tag = "BodyTooLarge"
  constructor(readonly bytes: number | undefined) {}
}

export const describeTooLarge = (tooLarge: BodyTooLarge): string =>
  tooLarge.bytes === undefined
    ? `the body exceeds the ${maxBodyBytes}-byte limit: reading stopped there`
    : `the body of ${tooLarge.bytes} bytes exceeds the ${maxBodyBytes}-byte limit and was not read`

const isEmptyBody = (error: unknown) =>
  HttpClientError.isHttpClientError(error) && error._tag === "ResponseError" && error.reason === "EmptyBody"

const decodeError = (response: HttpClientResponse.HttpClientResponse, cause: unknown) =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })

const encoder = /* @__PURE__ */ new TextEncoder()

/**
 * Reads the body as a stream, counting the bytes as they come out of any decompression, and stops
 * (which cancels the body, and frees the connection) as soon as they pass the limit.
 */
const readStream = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.ResponseError | BodyTooLarge> => {
  const streaming = new TextDecoder()
  let text = ""
  let length = 0
  return Stream.runForEach(response.stream, (chunk) => {
    length += chunk.length
    if (length > maxBodyBytes) return Effect.fail(new BodyTooLarge(undefined))
    text += streaming.decode(chunk, { stream: true })
    return Effect.void
  }).pipe(
    Effect.map(() => text + streaming.decode()),
    // An answer with no body at all (a 204, say) has no stream to read: it is an empty body.
    Effect.catchIf(isEmptyBody, () => Effect.succeed(""))
  )
}

/**
 * Reads the body in one go. Only for a body whose length is declared and within the limit, and
 * not compressed: the transport then delivers exactly the declared bytes.
 */
const readWhole = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.ResponseError | BodyTooLarge> =>
  Effect.flatMap(response.text, (text) =>
    // A body read before us (a `transformClient` that logged the answer) could be of any size.
    text.length > maxBodyBytes / 3 && encoder.encode(text).length > maxBodyBytes
      ? Effect.fail(new BodyTooLarge(undefined))
      : Effect.succeed(text))

/**
 * Whatever the transport does wrong while reading (a stream that throws, a cancel that rejects)
 * ends as a `ResponseError` or the fallback's outcome, never a defect; an interruption stays one.
 */
const settle = <A>(
  read: Effect.Effect<A, HttpClientError.ResponseError | BodyTooLarge>,
  orElse: (defect: unknown) => Effect.Effect<A, HttpClientError.ResponseError | BodyTooLarge>
): Effect.Effect<A, HttpClientError.ResponseError | BodyTooLarge> =>
  Effect.catchAllCause(read, (cause) => {
    const failure = Cause.failureOption(cause)
    if (failure._tag === "Some") return Effect.fail(failure.value)
    if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
    const defect = Cause.dieOption(cause)
    return defect._tag === "Some" ? orElse(defect.value) : Effect.failCause(cause)
  })

const isIdentity = (encoding: string | undefined) =>
  encoding === undefined || encoding.trim() === "" || encoding.trim().toLowerCase() === "identity"

/**
 * Reads a body of at most {@link maxBodyBytes} decoded bytes, whatever the transport, as text:
 *
 * - a declared `Content-Length` over the limit is refused without reading, and the body cancelled;
 * - an uncompressed body of a declared length within the limit is read in one go;
 * - any other body (compressed, or of no declared length) is read as a stream, counting decoded
 *   bytes, and abandoned once it passes the limit.
 *
 * A body with no content (a 204, say) reads as empty. When the stream is locked or spent because
 * something read the body before us, the text that reader cached is used.
 */
export const read = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.ResponseError | BodyTooLarge> => {
  const declaredHeader = response.headers["content-length"]
  const declared = declaredHeader === undefined ? Number.NaN : Number(declaredHeader)
  if (declared > maxBodyBytes) return Effect.zipRight(discard(response), Effect.fail(new BodyTooLarge(declared)))
  const whole = settle(readWhole(response), (defect) => Effect.fail(decodeError(response, defect)))
  return declared >= 0 && isIdentity(response.headers["content-encoding"])
    ? whole
    : settle(readStream(response), () => whole)
}

/**
 * Cancels a body without waiting for it: the stream is opened, given one turn, then closed, which
 * cancels it and lets the transport free (or close) the connection.
 */
export const discard = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.scoped(
    Effect.flatMap(Stream.toPull(response.stream), (pull) => Effect.raceFirst(Effect.exit(pull), Effect.yieldNow()))
  ).pipe(Effect.catchAllCause(() => Effect.void))

/** Text as the bytes it was read from, for readers that want bytes. */
export const bytes = (text: string): Uint8Array => encoder.encode(text)

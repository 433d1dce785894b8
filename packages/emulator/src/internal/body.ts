/**
 * Request bodies: how long a request says its body is, reading it within the limits, and Node's
 * side of a request (whether it has fully arrived, dropping its connection).
 *
 * A body is read only once the request's headers have passed the gateway, and only within two
 * bounds: `maxBodyBytes` for one request, and `maxBufferedBytes` for all requests at once, a
 * budget every body holds its share of (its declared length, or `maxBodyBytes` when chunked)
 * from before it is read until its answer is ready. A body that does not fit the budget is not
 * read at all: its request gets 503 at once.
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ApiError from "./apiError.js"

const empty = /* @__PURE__ */ new Uint8Array(0)

/** The bounds of what bodies may hold in memory. */
export interface Limits {
  readonly maxBodyBytes: number
  /** Holds `maxBufferedBytes` permits, one per byte. */
  readonly budget: Effect.Semaphore
}

/**
 * The length a request gives its body: its `Content-Length` (Node has checked its form), 0 when
 * it has neither that nor `Transfer-Encoding`, `undefined` when chunked (not known in advance).
 */
export const declaredLength = (request: HttpServerRequest.HttpServerRequest): number | undefined => {
  const length = request.headers["content-length"]
  if (length !== undefined) return Number(length)
  return request.headers["transfer-encoding"] === undefined ? 0 : undefined
}

interface Collected {
  size: number
  readonly chunks: Array<Uint8Array>
}

// Reads to the end, keeping no more than `maxBytes`: past the limit the rest is counted and
// dropped, not left unread, so that the 413 goes out on a connection the client is not reset on
// while still sending. (The platform's `withMaxBodySize` readers destroy the request instead.)
const read = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<Uint8Array, ApiError.ApiError> =>
  request.stream.pipe(
    Stream.runFold<Collected, Uint8Array>({ size: 0, chunks: [] }, (collected, chunk) => {
      collected.size += chunk.length
      if (collected.size <= maxBytes) collected.chunks.push(chunk)
      return collected
    }),
    Effect.mapError(() => ApiError.badRequest("The request body could not be read")),
    Effect.flatMap(({ chunks, size }) =>
      size > maxBytes ? Effect.fail(ApiError.tooLarge(maxBytes)) : Effect.succeed(Buffer.concat(chunks))
    )
  )

/**
 * Reads the request's body and runs `use` with it, holding the body's share of the budget until
 * `use` ends: 413 when the body is longer than `maxBodyBytes`, 503 when the budget cannot hold it
 * now, 400 when it cannot be read.
 */
export const withBody = <A, E, R>(
  request: HttpServerRequest.HttpServerRequest,
  limits: Limits,
  use: (body: Uint8Array) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | ApiError.ApiError, R> => {
  const declared = declaredLength(request)
  if (declared === 0) return use(empty)
  if (declared !== undefined && declared > limits.maxBodyBytes) {
    return Effect.fail(ApiError.tooLarge(limits.maxBodyBytes))
  }
  return Effect.flatMap(read(request, limits.maxBodyBytes), use).pipe(
    limits.budget.withPermitsIfAvailable(declared ?? limits.maxBodyBytes),
    Effect.flatMap(Option.match({ onNone: () => Effect.fail(ApiError.busy()), onSome: Effect.succeed }))
  )
}

/** Whether some of the request's body has yet to arrive (be parsed by Node). */
export const isArriving = (request: HttpServerRequest.HttpServerRequest): boolean =>
  declaredLength(request) !== 0 && !NodeHttpServerRequest.toIncomingMessage(request).complete

/** Closes the request's connection at once, without an answer. */
export const dropConnection = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void> =>
  Effect.sync(() => {
    NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
  })

/** Reading request bodies within a size limit, and dropping connections: Node's side of a request. */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Readable } from "node:stream"
import * as Replies from "./replies.js"

const empty = /* @__PURE__ */ new Uint8Array(0)

/**
 * The body's bytes, or the error it gets: 413 when `Content-Length` (or, for a chunked body, the
 * bytes read so far) passes `maxBytes`, 400 when the body cannot be read.
 */
export const read = (
  request: HttpServerRequest.HttpServerRequest,
  headers: Readonly<Record<string, string>>,
  maxBytes: number
): Effect.Effect<Either.Either<Uint8Array, Replies.ApiError>> => {
  const declared = headers["content-length"]
  if (declared !== undefined) {
    if (!/^\d{1,15}$/.test(declared)) return Effect.succeed(Either.left(Replies.badRequest("Invalid Content-Length")))
    if (Number(declared) > maxBytes) return Effect.succeed(Either.left(Replies.tooLarge(maxBytes)))
    if (Number(declared) === 0) return Effect.succeed(Either.right(empty))
  } else if (headers["transfer-encoding"] === undefined) {
    return Effect.succeed(Either.right(empty))
  }
  return collect(NodeHttpServerRequest.toIncomingMessage(request), maxBytes)
}

// Reads the body from Node's stream. Past the limit it stops collecting but leaves the stream
// flowing, so that the rest is drained and the 413 reaches the client on a live connection
// (destroying the stream would close the socket before the answer).
const collect = (
  source: Readable,
  maxBytes: number
): Effect.Effect<Either.Either<Uint8Array, Replies.ApiError>> =>
  Effect.async((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const cleanup = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        cleanup()
        source.resume()
        resume(Effect.succeed(Either.left(Replies.tooLarge(maxBytes))))
      } else {
        chunks.push(chunk)
      }
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(Either.right(new Uint8Array(Buffer.concat(chunks)))))
    }
    const onError = () => {
      cleanup()
      resume(Effect.succeed(Either.left(Replies.badRequest("The request body could not be read"))))
    }
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onError)
    return Effect.sync(cleanup)
  })

/** Closes the request's connection at once, without an answer. */
export const dropConnection = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void> =>
  Effect.sync(() => {
    NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
  })

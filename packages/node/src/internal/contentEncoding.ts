import { pipeline, type Readable, type Transform } from "node:stream"
import * as Zlib from "node:zlib"

const lenient = { flush: Zlib.constants.Z_SYNC_FLUSH, finishFlush: Zlib.constants.Z_SYNC_FLUSH }

// What fetch decodes, with its lenient flush settings: a body cut short still yields what it had.
// `deflate` is the zlib format (RFC 9110); fetch also guesses raw deflate, which servers should not send.
const decoders: Readonly<Record<string, () => Transform>> = {
  gzip: () => Zlib.createGunzip(lenient),
  "x-gzip": () => Zlib.createGunzip(lenient),
  deflate: () => Zlib.createInflate(lenient),
  br: () =>
    Zlib.createBrotliDecompress({
      flush: Zlib.constants.BROTLI_OPERATION_FLUSH,
      finishFlush: Zlib.constants.BROTLI_OPERATION_FLUSH
    })
}

/** At most this many codings are undone, as fetch limits them. */
const maxCodings = 5

/** The codings to undo, last applied first; `undefined` when the body is to be read as it came. */
const codingsOf = (contentEncoding: string | undefined): Array<string> | undefined => {
  if (contentEncoding === undefined) return undefined
  const codings = contentEncoding.split(",").map((coding) => coding.trim().toLowerCase()).filter((c) =>
    c !== "" && c !== "identity"
  )
  return codings.length === 0 || codings.length > maxCodings || codings.some((coding) => !(coding in decoders))
    ? undefined
    : codings.reverse()
}

/** Whether {@link decode} changes a body of this `Content-Encoding`. */
export const isDecoded = (contentEncoding: string | undefined): boolean => codingsOf(contentEncoding) !== undefined

/**
 * The body with its `Content-Encoding` undone, as fetch undoes it: codings are undone last first;
 * one that is not known leaves the body as it came. Nothing is read until the result is: the
 * reader decides how much to take.
 */
export const decode = (body: Readable, contentEncoding: string | undefined): Readable => {
  const codings = codingsOf(contentEncoding)
  if (codings === undefined) return body
  const stages = codings.map((coding) => decoders[coding]())
  // Errors reach the reader through the last stage; pipeline destroys every stage on any of them.
  return (pipeline as (
    ...streams: Array<NodeJS.ReadableStream | NodeJS.WritableStream | ((e: unknown) => void)>
  ) => Readable)(
    body,
    ...stages,
    () => {}
  )
}

/** Every byte of a readable, for readers that want the whole body. */
export const collect = async (readable: Readable): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of readable) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

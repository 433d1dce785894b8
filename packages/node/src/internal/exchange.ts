import * as Headers from "@effect/platform/Headers"
import { Readable } from "node:stream"
import { type Dispatcher, util } from "undici"

// One request's life on an undici dispatcher, through undici's handler interface rather than
// `Dispatcher.request`: that one costs, per request, an AbortSignal and its listener, a promise,
// a `Readable` for the body (consumed through its own machinery), and a second pass over the
// headers. Here the headers are parsed once, straight into a platform `Headers`, and the body is
// kept as the chunks it came in, joined once when read whole; a `Readable` is only made for a
// reader that streams (a compressed body, a body of unknown length). Measured in bench/.
//
// These are the handler methods undici's own `request` uses (onConnect, onHeaders, ...); the newer
// ones (onRequestStart, ...) wrap each request in one more object and parse its headers again.

const headersProto = Object.getPrototypeOf(Headers.empty) as object

/** Bytes held for a reader that has not come yet, before the socket is paused. */
const highWaterMark = 64 * 1024

/** What the calling fiber gets: the answer's head, or why there is none. */
export interface Head {
  readonly status: number
  readonly headers: Headers.Headers
  readonly setCookie: ReadonlyArray<string>
}

export interface Callbacks {
  /** The answer's head came; the body follows through the exchange. */
  readonly onHead: (head: Head) => void
  /** No answer: the request failed, or was aborted, before its head came. */
  readonly onFailure: (cause: Error) => void
  /** The exchange is over, one way or another: body read, failed or aborted. Called once. */
  readonly onEnd: () => void
}

const headerValue = (value: Buffer | string): string => typeof value === "string" ? value : value.toString("latin1")

export class Exchange implements Dispatcher.DispatchHandler {
  private abortDispatch: ((reason: Error) => void) | undefined
  private resumeSocket: (() => void) | undefined
  private reason: Error | undefined
  private answered = false
  private done = false
  private chunks: Array<Buffer> = []
  private buffered = 0
  private failure: Error | undefined
  private whole: { resolve: (bytes: Buffer) => void; reject: (error: Error) => void } | undefined
  private readable: Readable | undefined

  constructor(private readonly callbacks: Callbacks) {}

  /** Ends the exchange early: before the head, the caller gets `reason`; after it, the reader does. */
  abort(reason: Error): void {
    if (this.done) return
    this.reason ??= reason
    // Not on a socket yet: undici aborts it when it gets there (onConnect). Either way, whoever
    // waits hears of it now.
    this.abortDispatch?.(reason)
    this.onError(reason)
  }

  /** The whole body if it has all come already, else `undefined`. */
  received(): Buffer | undefined {
    return this.done && this.failure === undefined && this.readable === undefined ? this.joined() : undefined
  }

  /** The whole body, once it has all come. */
  bytes(): Promise<Buffer> {
    if (this.readable !== undefined) return Promise.reject(new Error("the body is being streamed"))
    if (this.failure !== undefined) return Promise.reject(this.failure)
    if (this.done) return Promise.resolve(this.joined())
    return new Promise((resolve, reject) => {
      this.whole = { resolve, reject }
      this.resumeSocket?.()
    })
  }

  /** The body as a stream; destroying it before its end aborts the request (the socket closes). */
  stream(): Readable {
    if (this.readable !== undefined) return this.readable
    const readable = new Readable({
      read: () => this.resumeSocket?.(),
      destroy: (error, callback) => {
        if (!this.done) this.abort(error ?? new Error("the body was abandoned before its end"))
        callback(error)
      }
    })
    // An unread body that errors later must not become an unhandled error event.
    readable.on("error", () => {})
    this.readable = readable
    for (const chunk of this.chunks) readable.push(chunk)
    this.chunks = []
    if (this.failure !== undefined) readable.destroy(this.failure)
    else if (this.done) readable.push(null)
    return readable
  }

  /** The chunks as one buffer, kept so that a second reader reads the same bytes. */
  private joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)]
    return this.chunks[0]
  }

  private finish(): void {
    this.done = true
    this.callbacks.onEnd()
  }

  onConnect(abort: (reason: Error) => void): void {
    if (this.reason !== undefined) abort(this.reason)
    else this.abortDispatch = abort
  }

  onHeaders(status: number, raw: Array<Buffer | string>, resume: () => void): boolean {
    // 1xx answers are interim: the real one follows.
    if (status < 200) return true
    this.resumeSocket = resume
    const headers = Object.create(headersProto) as Record<string, string>
    const setCookie: Array<string> = []
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = util.headerNameToString(raw[i])
      const value = headerValue(raw[i + 1])
      if (name === "set-cookie") setCookie.push(value)
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value
    }
    this.answered = true
    this.callbacks.onHead({ status, headers: headers as Headers.Headers, setCookie })
    return !this.done
  }

  onData(chunk: Buffer): boolean {
    if (this.readable !== undefined) return this.readable.push(chunk)
    this.chunks.push(chunk)
    this.buffered += chunk.length
    return this.whole !== undefined || this.buffered < highWaterMark
  }

  onComplete(): void {
    if (this.done) return
    this.finish()
    if (this.readable !== undefined) this.readable.push(null)
    else if (this.whole !== undefined) this.whole.resolve(this.joined())
  }

  onError(error: Error): void {
    if (this.done) return
    this.failure = error
    this.chunks = []
    this.finish()
    if (!this.answered) this.callbacks.onFailure(error)
    else if (this.readable !== undefined) this.readable.destroy(error)
    else if (this.whole !== undefined) this.whole.reject(error)
  }
}

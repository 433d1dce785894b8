import * as KpsClient from "@effect-kps/core/KpsClient"
import * as Cookies from "@effect/platform/Cookies"
import type * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"
import type { Dispatcher } from "undici"
import * as ContentEncoding from "./contentEncoding.js"
import * as Exchange from "./exchange.js"
import * as RequestTimer from "./requestTimer.js"

// A lean HttpClient over an undici dispatcher. Measured against @effect/platform-node's undici
// client (bench/): its response rebuilds Headers on every access and reads the body through a
// fiber of its own (Effect.cached + runSync); this one parses headers once and reads the body
// with one promise, and talks to undici through its handler interface (./exchange.ts).

type RequestBody = NonNullable<Dispatcher.RequestOptions["body"]> | null

const requestBody = (body: HttpBody.HttpBody): RequestBody => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array ? body.body : null
    case "FormData":
      // The DOM's FormData and undici's are the same class at run time in Node.
      return body.formData as unknown as RequestBody
    case "Stream":
      return Readable.fromWeb(Stream.toReadableStream(body.stream) as never)
  }
}

class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly status: number
  readonly headers: Headers.Headers
  private readonly setCookie: ReadonlyArray<string>
  private readonly empty: boolean
  private decoded: Readable | undefined
  private cachedText: Promise<string> | undefined
  private textRead: string | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    head: Exchange.Head,
    private readonly exchange: Exchange.Exchange
  ) {
    super()
    this.status = head.status
    this.headers = head.headers
    this.setCookie = head.setCookie
    this.empty = KpsClient.isNullBodyStatus(head.status)
    // Bytes a server sends anyway are not part of the answer; the connection is not reused.
    if (this.empty) exchange.abort(new Error(`a ${head.status} answer has no content`))
  }

  get cookies(): Cookies.Cookies {
    return this.setCookie.length === 0 ? Cookies.empty : Cookies.fromSetCookie(this.setCookie)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  // A method, not an arrow field: a field would be a closure made for every answer.
  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  // Interrupting a read aborts the request, as interrupting the send does.
  private read<A>(f: () => Promise<A>): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.async<A, HttpClientError.ResponseError>((resume) => {
      f().then((value) => resume(Effect.succeed(value)), (cause) => resume(Effect.fail(this.decodeError(cause))))
      return Effect.sync(() => this.exchange.abort(interrupted()))
    })
  }

  /** The body as a stream, decompressed as fetch does (gzip, deflate, br); the reader bounds what it takes. */
  private content(): Readable {
    return this.decoded ??= ContentEncoding.decode(this.exchange.stream(), this.headers["content-encoding"])
  }

  private readBytes(): Promise<Buffer> {
    if (this.empty) return Promise.resolve(Buffer.alloc(0))
    // A body as it came is joined from its chunks; a decompressed one is collected.
    return ContentEncoding.isDecoded(this.headers["content-encoding"])
      ? ContentEncoding.collect(this.content())
      : this.exchange.bytes()
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    if (this.textRead !== undefined) return Effect.succeed(this.textRead)
    // A small answer has usually all come with its head: it is read there and then.
    const received = this.empty || ContentEncoding.isDecoded(this.headers["content-encoding"])
      ? undefined
      : this.exchange.received()
    if (received !== undefined) return Effect.succeed(this.textRead = received.toString("utf8"))
    return this.read(() => this.cachedText ??= this.readBytes().then((bytes) => this.textRead = bytes.toString("utf8")))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) =>
        Effect.try({
          try: () => text === "" ? null : JSON.parse(text) as unknown,
          catch: (cause) => this.decodeError(cause)
        })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.read(() =>
      this.readBytes().then((bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
    ) as Effect.Effect<ArrayBuffer, HttpClientError.ResponseError>
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return this.read(() =>
      this.readBytes().then((bytes) =>
        new Response(new Uint8Array(bytes), { headers: { "content-type": this.headers["content-type"] ?? "" } })
          .formData()
      )
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) =>
        Effect.try({
          try: () => UrlParams.fromInput(new URLSearchParams(text)),
          catch: (cause) => this.decodeError(cause)
        })
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.empty
      ? Stream.empty
      : Stream.suspend(() =>
        Stream.fromAsyncIterable(this.content() as AsyncIterable<Uint8Array>, (cause) => this.decodeError(cause))
      )
  }

  // Printing an answer does not read its body (the platform's responses read it to show it).
  toJSON(): unknown {
    return {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status,
      headers: Inspectable.redact(this.headers)
    }
  }
}

const interrupted = () => new Error("the request was interrupted")

const requestError = (
  request: HttpClientRequest.HttpClientRequest,
  cause: unknown,
  reason: "Transport" | "InvalidUrl"
) => new HttpClientError.RequestError({ request, reason, cause })

const proxyAuthenticationRequired = () =>
  new Error("proxy authentication required: the server answered 407, which no proxy of ours can answer")

/** Where a request goes, as undici takes it. */
interface Target {
  readonly origin: string
  readonly path: string
}

// A path that parsing as a URL leaves as it is: no query, fragment, dot segment, percent-encoded
// dot, or character that would be encoded or dropped.
const plainPath = /^\/[\w\-~!$&'()*+,;=:@%/.]*$/
const dotSegment = /\/\.|%2e/i

/** How many origins a client remembers: a client talks to one or two. */
const maxOrigins = 16

/**
 * The target of a request. `UrlParams.makeUrl` parses a `URL` per request; a plain absolute URL
 * (what `KpsClient` sends: no query parameters, no fragment) needs only its origin parsed, once
 * per client. Anything else goes through `makeUrl`, which also names an invalid URL.
 */
const targetOf = (
  request: HttpClientRequest.HttpClientRequest,
  origins: Map<string, string>
): Either.Either<Target, unknown> => {
  const url = request.url
  if (request.urlParams.length === 0 && Option.isNone(request.hash)) {
    const scheme = url.startsWith("https://") ? 8 : url.startsWith("http://") ? 7 : 0
    const slash = scheme === 0 ? -1 : url.indexOf("/", scheme)
    const path = slash === -1 ? "" : url.slice(slash)
    if (slash > scheme && plainPath.test(path) && !dotSegment.test(path)) {
      const prefix = url.slice(0, slash)
      const origin = origins.get(prefix)
      if (origin !== undefined) return Either.right({ origin, path })
      const parsed = UrlParams.makeUrl(prefix, [], Option.none())
      if (parsed._tag === "Right" && parsed.right.pathname === "/" && parsed.right.search === "") {
        if (origins.size < maxOrigins) origins.set(prefix, parsed.right.origin)
        return Either.right({ origin: parsed.right.origin, path })
      }
    }
  }
  return Either.map(
    UrlParams.makeUrl(url, request.urlParams, request.hash),
    (parsed) => ({ origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` })
  )
}

type Resume = (effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>) => void

/** A call waiting on its exchange: the answer's head resumes it, or a failure before the head. */
class Call implements Exchange.Callbacks {
  readonly exchange: Exchange.Exchange = new Exchange.Exchange(this)
  cancelTimer: (() => void) | undefined = undefined

  constructor(private readonly request: HttpClientRequest.HttpClientRequest, private readonly resume: Resume) {}

  onHead(head: Exchange.Head): void {
    if (head.status !== 407) return this.resume(Effect.succeed(new UndiciResponse(this.request, head, this.exchange)))
    // What fetch does with a 407 it cannot answer: a network error, not an answer.
    const cause = proxyAuthenticationRequired()
    this.exchange.abort(cause)
    this.resume(Effect.fail(requestError(this.request, cause, "Transport")))
  }

  onFailure(cause: Error): void {
    this.resume(Effect.fail(requestError(this.request, cause, "Transport")))
  }

  onEnd(): void {
    this.cancelTimer?.()
  }
}

/**
 * Sends one request. Its `Exchange` serves both ways a request ends early: interruption of the
 * calling fiber, and the end of `KpsClient.currentRequestTimeout` (timed on the fiber's `Clock`,
 * aborting with a `TimeoutError`), which covers the body too.
 */
const send = (
  dispatcher: Dispatcher,
  origins: Map<string, string>,
  request: HttpClientRequest.HttpClientRequest,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> => {
  const target = targetOf(request, origins)
  if (target._tag === "Left") return Effect.fail(requestError(request, target.left, "InvalidUrl"))
  const timeout = fiber.getFiberRef(KpsClient.currentRequestTimeout)
  return Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>((resume) => {
    const call = new Call(request, resume)
    const exchange = call.exchange
    if (timeout !== undefined && Duration.isFinite(timeout)) {
      call.cancelTimer = RequestTimer.start(
        fiber,
        timeout,
        () => exchange.abort(new DOMException(`no answer within ${Duration.format(timeout)}`, "TimeoutError"))
      )
    }
    // Errors, thrown ones included, come back through the exchange.
    dispatcher.dispatch({
      origin: target.right.origin,
      path: target.right.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body: requestBody(request.body)
    }, exchange)
    return Effect.sync(() => exchange.abort(interrupted()))
  })
}

/**
 * An HttpClient whose requests go through `dispatcher`. Built on `HttpClient.makeWith` rather than
 * `HttpClient.make`: the latter adds, per request, a second AbortController, a FinalizationRegistry
 * entry, a proxying response wrapper and its own client span; `KpsClient` makes its own span, and
 * this transport aborts on interruption and on timeout itself. Measured in bench/.
 */
export const make = (dispatcher: Dispatcher): HttpClient.HttpClient => {
  const origins = new Map<string, string>()
  return HttpClient.makeWith<HttpClientError.HttpClientError, never, HttpClientError.HttpClientError, never>(
    (request) =>
      Effect.flatMap(
        request,
        (request) =>
          Effect.withFiberRuntime((fiber) =>
            send(dispatcher, origins, request, fiber as Fiber.RuntimeFiber<unknown, unknown>)
          )
      ),
    Effect.succeed
  )
}

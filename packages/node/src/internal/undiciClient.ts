import * as KpsClient from "@effect-kps/core/KpsClient"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"
import type { Dispatcher } from "undici"
import * as RequestTimer from "./requestTimer.js"

// A lean HttpClient over an undici dispatcher. Measured against @effect/platform-node's undici
// client (bench/): its response rebuilds Headers on every access and reads the body through a
// fiber of its own (Effect.cached + runSync); this one converts headers once and reads the body
// with one promise, which is most of the difference at 64 concurrent requests.

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
  readonly headers: Headers.Headers
  private cachedText: Promise<string> | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: Dispatcher.ResponseData
  ) {
    super()
    this.headers = Headers.fromInput(source.headers as Record<string, string | ReadonlyArray<string>>)
    // An unread body that errors later must not become an unhandled error event.
    source.body.on("error", () => {})
  }

  get status(): number {
    return this.source.statusCode
  }

  get cookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError = (cause: unknown) =>
    new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })

  private read<A>(f: () => Promise<A>): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.tryPromise({ try: f, catch: this.decodeError })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.read(() => this.cachedText ??= this.source.body.text())
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) => Effect.try({ try: () => text === "" ? null : JSON.parse(text) as unknown, catch: this.decodeError })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.read(() => this.source.body.arrayBuffer())
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return this.read(() => this.source.body.formData() as Promise<FormData>)
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) => Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: this.decodeError })
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.fromAsyncIterable(this.source.body as AsyncIterable<Uint8Array>, this.decodeError)
  }

  toJSON(): unknown {
    return IncomingMessage.inspect(this, { _id: "@effect/platform/HttpClientResponse", status: this.status })
  }
}

const send = (
  dispatcher: Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal
) =>
  Effect.tryPromise({
    try: () =>
      dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: requestBody(request.body),
        signal
      }),
    catch: (cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
  })

/**
 * An HttpClient whose requests go through `dispatcher`. Interruption aborts the socket request;
 * so does the end of `KpsClient.currentRequestTimeout`, timed on the fiber's `Clock`, with a
 * `TimeoutError`, until the body has been read.
 */
export const make = (dispatcher: Dispatcher): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal, fiber) => {
    const timeout = fiber.getFiberRef(KpsClient.currentRequestTimeout)
    if (timeout === undefined || !Duration.isFinite(timeout)) {
      return Effect.map(send(dispatcher, request, url, signal), (response) => new UndiciResponse(request, response))
    }
    const controller = new AbortController()
    const abort = () => controller.abort(signal.reason)
    signal.addEventListener("abort", abort, { once: true })
    const cancelTimer = RequestTimer.start(
      fiber,
      timeout,
      () => controller.abort(new DOMException(`no answer within ${Duration.format(timeout)}`, "TimeoutError"))
    )
    const done = () => {
      cancelTimer()
      signal.removeEventListener("abort", abort)
    }
    return send(dispatcher, request, url, controller.signal).pipe(
      Effect.tapError(() => Effect.sync(done)),
      Effect.map((response) => {
        // The timeout covers the body too: it ends when the body is read or abandoned.
        response.body.once("close", done)
        return new UndiciResponse(request, response)
      })
    )
  })

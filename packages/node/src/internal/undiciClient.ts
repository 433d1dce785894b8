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
import type * as Fiber from "effect/Fiber"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"
import type { Dispatcher } from "undici"
import * as ContentEncoding from "./contentEncoding.js"
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
  private readonly content: Readable | undefined
  private cachedText: Promise<string> | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: Dispatcher.ResponseData,
    private readonly controller: AbortController
  ) {
    super()
    this.headers = Headers.fromInput(source.headers as Record<string, string | ReadonlyArray<string>>)
    // An unread body that errors later must not become an unhandled error event.
    source.body.on("error", () => {})
    if (KpsClient.isNullBodyStatus(source.statusCode)) {
      // Bytes a server sends anyway are not part of the answer; the connection is not reused.
      source.body.destroy()
      this.content = undefined
    } else {
      // Decompressed as fetch does (gzip, deflate, br); the reader bounds what it takes.
      this.content = ContentEncoding.decode(source.body, this.headers["content-encoding"])
    }
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

  // Interrupting a read aborts the request, as interrupting the send does.
  private read<A>(f: () => Promise<A>): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.async<A, HttpClientError.ResponseError>((resume) => {
      f().then((value) => resume(Effect.succeed(value)), (cause) => resume(Effect.fail(this.decodeError(cause))))
      return Effect.sync(() => this.controller.abort())
    })
  }

  private readBytes(): Promise<Buffer> {
    const content = this.content
    if (content === undefined) return Promise.resolve(Buffer.alloc(0))
    // undici reads its own body in one go; a decompressed one is collected.
    return content === this.source.body
      ? this.source.body.arrayBuffer().then((buffer) => Buffer.from(buffer))
      : ContentEncoding.collect(content)
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.read(() => this.cachedText ??= this.readBytes().then((bytes) => bytes.toString("utf8")))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) => Effect.try({ try: () => text === "" ? null : JSON.parse(text) as unknown, catch: this.decodeError })
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
      (text) => Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: this.decodeError })
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.content === undefined
      ? Stream.empty
      : Stream.fromAsyncIterable(this.content as AsyncIterable<Uint8Array>, this.decodeError)
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

const requestError = (
  request: HttpClientRequest.HttpClientRequest,
  cause: unknown,
  reason: "Transport" | "InvalidUrl"
) => new HttpClientError.RequestError({ request, reason, cause })

const proxyAuthenticationRequired = () =>
  new Error("proxy authentication required: the server answered 407, which no proxy of ours can answer")

/**
 * Sends one request. One `AbortController` serves both ways a request ends early: interruption of
 * the calling fiber, and the end of `KpsClient.currentRequestTimeout` (timed on the fiber's
 * `Clock`, aborting with a `TimeoutError`), which covers the body too.
 */
const send = (
  dispatcher: Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> => {
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  if (url._tag === "Left") return Effect.fail(requestError(request, url.left, "InvalidUrl"))
  const controller = new AbortController()
  const timeout = fiber.getFiberRef(KpsClient.currentRequestTimeout)
  const cancelTimer = timeout === undefined || !Duration.isFinite(timeout)
    ? undefined
    : RequestTimer.start(
      fiber,
      timeout,
      () => controller.abort(new DOMException(`no answer within ${Duration.format(timeout)}`, "TimeoutError"))
    )
  return Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>((resume) => {
    dispatcher.request({
      origin: url.right.origin,
      path: `${url.right.pathname}${url.right.search}`,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body: requestBody(request.body),
      signal: controller.signal
    }).then(
      (response) => {
        if (response.statusCode === 407) {
          // What fetch does with a 407 it cannot answer: a network error, not an answer.
          response.body.on("error", () => {}).destroy()
          cancelTimer?.()
          return resume(Effect.fail(requestError(request, proxyAuthenticationRequired(), "Transport")))
        }
        if (cancelTimer !== undefined) response.body.once("close", cancelTimer)
        resume(Effect.succeed(new UndiciResponse(request, response, controller)))
      },
      (cause) => {
        cancelTimer?.()
        resume(Effect.fail(requestError(request, cause, "Transport")))
      }
    )
    return Effect.sync(() => controller.abort())
  })
}

/**
 * An HttpClient whose requests go through `dispatcher`. Built on `HttpClient.makeWith` rather than
 * `HttpClient.make`: the latter adds, per request, a second AbortController, a FinalizationRegistry
 * entry, a proxying response wrapper and its own client span; `KpsClient` makes its own span, and
 * this transport aborts on interruption and on timeout itself. Measured in bench/.
 */
export const make = (dispatcher: Dispatcher): HttpClient.HttpClient =>
  HttpClient.makeWith<HttpClientError.HttpClientError, never, HttpClientError.HttpClientError, never>(
    (request) =>
      Effect.flatMap(
        request,
        (request) =>
          Effect.withFiberRuntime((fiber) => send(dispatcher, request, fiber as Fiber.RuntimeFiber<unknown, unknown>))
      ),
    Effect.succeed
  )

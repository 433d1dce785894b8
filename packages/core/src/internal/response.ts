import type * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import type * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Body from "./body.js"
import type * as Scrubber from "./scrubber.js"

const scrubHeaders = (headers: Headers.Headers, scrub: Scrubber.Scrubber): Headers.Headers => {
  let scrubbed: Record<string, string> | undefined
  for (const name in headers) {
    const value = headers[name]
    const clean = scrub(value)
    if (clean !== value) (scrubbed ??= { ...headers })[name] = clean
  }
  return scrubbed === undefined ? headers : Headers.fromInput(scrubbed)
}

/**
 * An answer as the client's own code (and any `transformClient`) sees it:
 *
 * - its `request` is the request before authentication, so printing the answer, or an error that
 *   holds it, never shows a token or a signature;
 * - its body is read once, as text, at most `Body.maxBodyBytes` of it after decompression, and
 *   every way of reading it (`text`, `json`, `stream`, ...) shares that read, so a
 *   `transformClient` that logs the answer leaves it readable (KPS answers are text: bytes read
 *   back are the text's UTF-8);
 * - its header values are scrubbed of the client's secrets (a proxy may echo a token into one);
 * - printing it does not read or show the body (the platform's responses do).
 */
export class KpsResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly status: number
  readonly headers: Headers.Headers
  private read: Exit.Exit<string, HttpClientError.ResponseError | Body.BodyTooLarge> | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly original: HttpClientResponse.HttpClientResponse,
    scrub: Scrubber.Scrubber
  ) {
    super()
    this.status = original.status
    this.headers = scrubHeaders(original.headers, scrub)
  }

  get cookies(): Cookies.Cookies {
    return this.original.cookies
  }

  get remoteAddress(): Option.Option<string> {
    return this.original.remoteAddress
  }

  /** The body, read once and bounded; a body too large fails with `BodyTooLarge`. */
  get body(): Effect.Effect<string, HttpClientError.ResponseError | Body.BodyTooLarge> {
    return this.read !== undefined ? this.read : Effect.onExit(Body.read(this.original), (exit) => {
      // An interrupted read has cancelled the body: nothing to remember.
      if (!Exit.isInterrupted(exit)) this.read = exit
      return Effect.void
    })
  }

  private decodeError = (cause: unknown) =>
    new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.mapError(this.body, (error) => error instanceof Body.BodyTooLarge ? this.decodeError(error) : error)
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) => Effect.try({ try: () => text === "" ? null : JSON.parse(text) as unknown, catch: this.decodeError })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(this.text, (text) => Body.bytes(text).buffer as ArrayBuffer)
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) => Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: this.decodeError })
    )
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.tryPromise({
        try: () => new Response(text, { headers: { "content-type": this.headers["content-type"] ?? "" } }).formData(),
        catch: this.decodeError
      }))
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.fromEffect(Effect.map(this.text, Body.bytes))
  }

  toJSON(): unknown {
    return {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status,
      headers: Inspectable.redact(this.headers)
    }
  }
}

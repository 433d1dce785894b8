import * as KpsClient from "@effect-kps/core/KpsClient"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** The codings undone, as fetch undoes them; any other leaves the body as it came. */
const formats: Readonly<Record<string, CompressionFormat>> = { gzip: "gzip", "x-gzip": "gzip", deflate: "deflate" }

const decoder = new TextDecoder()

/**
 * A scripted answer as a transport would hand it over: any status a server can send (1xx to 5xx,
 * where a `Response` refuses some), the body exactly as scripted, decompressed when its
 * `Content-Encoding` says so, and read in one go when it is not.
 */
export class StubResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly headers: Headers.Headers
  private readonly body: Uint8Array
  private readonly format: CompressionFormat | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    headers: Readonly<Record<string, string>>,
    body: Uint8Array
  ) {
    super()
    this.headers = Headers.fromInput(headers)
    this.body = KpsClient.isNullBodyStatus(status) ? new Uint8Array(0) : body
    const codings = (this.headers["content-encoding"] ?? "").split(",").map((coding) => coding.trim().toLowerCase())
      .filter((coding) => coding !== "" && coding !== "identity")
    this.format = codings.length === 1 ? formats[codings[0]] : undefined
  }

  get cookies(): Cookies.Cookies {
    return Cookies.empty
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError = (cause: unknown) =>
    new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    const format = this.format
    if (format === undefined) return this.body.length === 0 ? Stream.empty : Stream.succeed(this.body)
    return Stream.fromReadableStream(
      () => new Blob([this.body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(format)),
      this.decodeError
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.format === undefined
      ? Effect.succeed(this.body.slice().buffer as ArrayBuffer)
      : Stream.runFold(this.stream, new Uint8Array(0), (all, chunk) => {
        const joined = new Uint8Array(all.length + chunk.length)
        joined.set(all)
        joined.set(chunk, all.length)
        return joined
      }).pipe(Effect.map((bytes) => bytes.buffer as ArrayBuffer))
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.format === undefined
      ? Effect.succeed(decoder.decode(this.body))
      : Effect.map(this.arrayBuffer, (buffer) => decoder.decode(buffer))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) => Effect.try({ try: () => text === "" ? null : JSON.parse(text) as unknown, catch: this.decodeError })
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) => Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: this.decodeError })
    )
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.arrayBuffer, (buffer) =>
      Effect.tryPromise({
        try: () => new Response(buffer, { headers: { "content-type": this.headers["content-type"] ?? "" } }).formData(),
        catch: this.decodeError
      }))
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

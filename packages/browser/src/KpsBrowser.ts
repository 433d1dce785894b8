/**
 * The browser transport for effect-kps: `KpsClient` layers over the browser's `fetch`.
 *
 * A page on another origin than the endpoint (usually a proxy of yours in front of KPS) needs that
 * endpoint to answer CORS preflights: allow the methods `GET`, `POST` (starting tasks) and `DELETE`
 * (cleaning failed tasks up), the request headers `Content-Type`, `X-Project-Id` and
 * either `X-Auth-Token` (token credentials) or `Authorization`, `X-Sdk-Date` and
 * `X-Security-Token` (AK/SK), and expose `X-Request-Id` and `Retry-After`, without which errors
 * carry no request id and throttling no delay. No trace header is sent, so none needs allowing.
 * AK/SK signing runs on Web Crypto, which browsers offer only in secure contexts (https pages and
 * localhost).
 *
 * @since 0.1.0
 */
import * as KpsClient from "@effect-kps/core/KpsClient"
import type { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * `fetch`, with every body stopped just past `KpsClient.maxBodyBytes`. Across origins the browser
 * hides `Content-Encoding`, so the client cannot tell a compressed body's declared length from its
 * real one: a small gzip answer could inflate without bound. Stopped here, the client sees a body
 * over its limit and refuses it; the rest is cancelled, which ends the download.
 */
const boundedFetch: typeof fetch = (input, init) =>
  fetch(input, init).then((response) => {
    if (response.body === null || KpsClient.isNullBodyStatus(response.status)) return response
    let length = 0
    const bounded = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const room = KpsClient.maxBodyBytes + 1 - length
          length += chunk.byteLength
          controller.enqueue(chunk.byteLength <= room ? chunk : chunk.subarray(0, room))
          if (length > KpsClient.maxBodyBytes) controller.terminate()
        }
      })
    )
    return new Response(bounded, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers
    })
  })

/** What `fetch` with `redirect: "manual"` makes of a redirect: status 0, no headers, no body. */
const isOpaqueRedirect = (response: HttpClientResponse.HttpClientResponse) => response.status === 0

/**
 * The browser's `fetch` as an `HttpClient`. Redirects are not followed: the browser hides a
 * redirect's status and location from scripts (an opaque response, status 0, no body), so one fails
 * as a `ResponseError` that says it was a redirect (a `KpsTransportError` through `KpsClient`). No
 * `traceparent` or `b3` header is added, since a header the server does not allow fails the CORS
 * preflight and with it the request. Interrupting a request aborts it. Bodies end just past
 * `KpsClient.maxBodyBytes`, decompressed: the browser hides `Content-Encoding` across origins, so
 * only the transport can bound what a small compressed answer inflates to.
 *
 * @since 0.1.0
 * @category transports
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, (client) =>
    client.pipe(
      HttpClient.withTracerPropagation(false),
      HttpClient.filterOrFail(
        (response) => !isOpaqueRedirect(response),
        (response) =>
          new HttpClientError.ResponseError({
            request: response.request,
            response,
            reason: "EmptyBody",
            description: "the endpoint answered with a redirect, which is not followed; the browser hides its status " +
              "and location"
          })
      )
    ))
).pipe(
  Layer.provide(
    FetchHttpClient.layer.pipe(
      Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "manual" })),
      Layer.provide(Layer.succeed(FetchHttpClient.Fetch, boundedFetch))
    )
  )
)

/**
 * A `KpsClient` over the browser's `fetch` ({@link layerHttpClient}).
 *
 * @example
 * ```ts
 * import { Credentials, KpsClient } from "@effect-kps/core"
 * import { KpsBrowser } from "@effect-kps/browser"
 * import { Effect } from "effect"
 *
 * // sessionToken: an IAM token the page got from its backend
 * const KpsLive = (sessionToken: string) =>
 *   KpsBrowser.layer({
 *     endpoint: "https://kps-proxy.example.com",
 *     projectId: "0123456789abcdef0123456789abcdef",
 *     credentials: Credentials.token(sessionToken)
 *   })
 * export const main = (sessionToken: string) =>
 *   Effect.runPromise(
 *     KpsClient.getTask("aee8d2fe-5484-4753-9177-5a38dc15546c").pipe(Effect.provide(KpsLive(sessionToken)))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: KpsClient.Options): Layer.Layer<KpsClient.KpsClient, KpsInvalidInput> =>
  KpsClient.layer(options).pipe(Layer.provide(layerHttpClient))

/**
 * {@link layer} with options read through `Config` (see `KpsClient.layerConfig`). A browser has no
 * environment variables: set a `ConfigProvider`, such as `ConfigProvider.fromJson` over settings
 * the page was served with, and give as a `Config` each option you do not want read from the
 * official SDKs' variable names.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-kps/core"
 * import { KpsBrowser } from "@effect-kps/browser"
 * import { Config, ConfigProvider, Layer } from "effect"
 *
 * // sessionToken: an IAM token the page got from its backend
 * const KpsLive = (sessionToken: string) =>
 *   KpsBrowser.layerConfig({
 *     endpoint: Config.string("KPS_ENDPOINT"),
 *     projectId: Config.string("KPS_PROJECT_ID"),
 *     credentials: Config.succeed(Credentials.token(sessionToken))
 *   }).pipe(
 *     Layer.provide(Layer.setConfigProvider(ConfigProvider.fromJson({
 *       KPS_ENDPOINT: "https://kps-proxy.example.com",
 *       KPS_PROJECT_ID: "0123456789abcdef0123456789abcdef"
 *     })))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: KpsClient.ConfigOptions
): Layer.Layer<KpsClient.KpsClient, ConfigError.ConfigError | KpsInvalidInput> =>
  KpsClient.layerConfig(options).pipe(Layer.provide(layerHttpClient))

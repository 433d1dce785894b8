/**
 * Node.js transports for effect-kps: `KpsClient` layers over a fast keep-alive HTTP client, with
 * proxy support and configuration from the environment.
 *
 * @since 0.1.0
 */
import * as KpsClient from "@effect-kps/core/KpsClient"
import type { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Dispatcher from "./internal/dispatcher.js"
import * as UndiciClient from "./internal/undiciClient.js"

/**
 * The fast Node `HttpClient`: undici with keep-alive connection reuse, through the proxy of
 * `HTTPS_PROXY` / `HTTP_PROXY` unless `NO_PROXY` exempts the host. Redirects are not followed.
 * Interrupting a request aborts its socket request, and so does its timeout, which this transport
 * enforces itself (`KpsClient.TransportTimeouts`). Sockets close when the layer is released.
 *
 * @since 0.1.0
 * @category transports
 */
export const layerHttpClient: Layer.Layer<
  HttpClient.HttpClient | KpsClient.TransportTimeouts,
  ConfigError.ConfigError | KpsInvalidInput
> = Layer.merge(
  Layer.scoped(HttpClient.HttpClient, Effect.map(Dispatcher.make, UndiciClient.make)),
  // It aborts timed-out requests itself: the client need not race a fiber against each call.
  Layer.succeed(KpsClient.TransportTimeouts, true)
)

/**
 * The platform's fetch-based `HttpClient`, over the same keep-alive dispatcher and proxy settings
 * as {@link layerHttpClient}, with redirects not followed.
 *
 * @since 0.1.0
 * @category transports
 */
export const layerHttpClientFetch: Layer.Layer<HttpClient.HttpClient, ConfigError.ConfigError | KpsInvalidInput> =
  FetchHttpClient.layer.pipe(
    Layer.provide(Layer.scoped(
      FetchHttpClient.RequestInit,
      Effect.map(Dispatcher.make, (dispatcher) => ({ redirect: "manual", dispatcher }) as RequestInit)
    ))
  )

/**
 * A `KpsClient` over the fastest Node transport measured ({@link layerHttpClient}).
 *
 * @example
 * ```ts
 * import { Credentials, KpsClient } from "@effect-kps/core"
 * import { KpsNode } from "@effect-kps/node"
 * import { Effect, Redacted } from "effect"
 *
 * const KpsLive = KpsNode.layer({
 *   region: "cn-north-4",
 *   credentials: Credentials.accessKey({ accessKeyId: "AK", secretAccessKey: Redacted.make("SK") })
 * })
 * export const main = () =>
 *   Effect.runPromise(KpsClient.getTask("aee8d2fe-5484-4753-9177-5a38dc15546c").pipe(Effect.provide(KpsLive)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: KpsClient.Options
): Layer.Layer<KpsClient.KpsClient, ConfigError.ConfigError | KpsInvalidInput> =>
  KpsClient.layer(options).pipe(Layer.provide(layerHttpClient))

/**
 * A `KpsClient` over the fetch-based transport ({@link layerHttpClientFetch}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetch = (
  options: KpsClient.Options
): Layer.Layer<KpsClient.KpsClient, ConfigError.ConfigError | KpsInvalidInput> =>
  KpsClient.layer(options).pipe(Layer.provide(layerHttpClientFetch))

/**
 * {@link layer} with options read through `Config`, the environment by default (see
 * `KpsClient.layerConfig`): `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_REGION`, …
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: KpsClient.ConfigOptions
): Layer.Layer<KpsClient.KpsClient, ConfigError.ConfigError | KpsInvalidInput> =>
  KpsClient.layerConfig(options).pipe(Layer.provide(layerHttpClient))

/**
 * A `KpsClient` configured entirely from the environment: region, endpoint overrides, project id
 * and credentials, as the official SDKs read them.
 *
 * @example
 * ```ts
 * import { KpsClient } from "@effect-kps/core"
 * import { KpsNode } from "@effect-kps/node"
 * import { Effect } from "effect"
 *
 * // HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_REGION set:
 * export const main = () =>
 *   Effect.runPromise(
 *     KpsClient.getTask("aee8d2fe-5484-4753-9177-5a38dc15546c").pipe(Effect.provide(KpsNode.layerFromEnv))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv: Layer.Layer<KpsClient.KpsClient, ConfigError.ConfigError | KpsInvalidInput> = layerConfig()

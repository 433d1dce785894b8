import { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { Agent, type Dispatcher, EnvHttpProxyAgent } from "undici"

const variable = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.string(name).pipe(Config.orElse(() => Config.string(name.toLowerCase())))).pipe(
    Config.map(Option.filter((value) => value.trim() !== ""))
  )

/** The proxy settings of the environment, as curl and the official SDKs read them. */
export const proxyConfig = Config.all({
  httpsProxy: variable("HTTPS_PROXY"),
  httpProxy: variable("HTTP_PROXY"),
  noProxy: variable("NO_PROXY")
})

/** Keep-alive connection reuse; idle sockets close after this long. */
const keepAliveTimeout = 30_000

const options = (proxy: Option.Option<string>, key: "httpsProxy" | "httpProxy" | "noProxy") =>
  Option.match(proxy, { onNone: () => ({}), onSome: (value) => ({ [key]: value }) })

/**
 * A dispatcher that reuses keep-alive connections, through the proxy of `HTTPS_PROXY` /
 * `HTTP_PROXY` unless `NO_PROXY` exempts the host; its sockets close with the scope.
 */
export const make: Effect.Effect<Dispatcher, ConfigError.ConfigError | KpsInvalidInput, Scope.Scope> = Effect
  .acquireRelease(
    Effect.flatMap(proxyConfig, (proxy) =>
      Option.isNone(proxy.httpsProxy) && Option.isNone(proxy.httpProxy)
        ? Effect.succeed<Dispatcher>(new Agent({ keepAliveTimeout }))
        : Effect.try({
          try: (): Dispatcher =>
            new EnvHttpProxyAgent({
              keepAliveTimeout,
              ...options(proxy.httpsProxy, "httpsProxy"),
              ...options(proxy.httpProxy, "httpProxy"),
              ...options(proxy.noProxy, "noProxy")
            }),
          catch: () =>
            new KpsInvalidInput({ field: "HTTPS_PROXY", description: "HTTPS_PROXY / HTTP_PROXY is not a proxy URL" })
        })),
    (dispatcher) => Effect.promise(() => dispatcher.destroy())
  )

import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Credentials from "../Credentials.js"
import type { ConfigOptions, Options } from "../KpsClient.js"
import { optionalString } from "./environment.js"

const optional = (name: string): Config.Config<string | undefined> =>
  optionalString(name).pipe(Config.map(Option.getOrUndefined))

/**
 * What `layerConfig` reads for each option it is not given, named as the official SDKs do. A
 * function, so that bundles that never read configuration do not keep it.
 */
const defaults = () => ({
  region: optional("HUAWEICLOUD_SDK_REGION"),
  iamEndpoint: optional("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
  credentials: Credentials.fromEnv
})

/** `HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4` for `cn-north-4`. */
export const regionEndpointVariable = (region: string): string =>
  `HUAWEICLOUD_SDK_REGION_KPS_${region.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`

export const load = (options: ConfigOptions | undefined): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const given: Options = Config.isConfig(options)
      ? yield* options
      : (yield* Config.all({ ...defaults(), ...definedOnly(options ?? {}) })) as unknown as Options
    if (given.endpoint !== undefined || given.region === undefined) return given
    // A region's endpoint may be overridden from the environment; an explicit endpoint wins.
    const override = yield* optional(regionEndpointVariable(given.region))
    return override === undefined ? given : { ...given, endpoint: override }
  })

const definedOnly = (record: object): Record<string, Config.Config<unknown>> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

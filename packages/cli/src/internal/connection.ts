import * as Credentials from "@effect-kps/core/Credentials"
import * as KpsClient from "@effect-kps/core/KpsClient"
import type { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as Options from "@effect/cli/Options"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Environment from "./environment.js"
import * as CliOptions from "./options.js"
import * as ProjectId from "./projectId.js"

/** Where requests go and who sends them, as given on the command line. */
export interface Connection {
  readonly endpoint: Option.Option<string>
  readonly region: Option.Option<string>
  readonly projectId: Option.Option<string>
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly ak: Option.Option<string>
  readonly sk: Option.Option<Redacted.Redacted<string>>
}

/** The options every command that talks to KPS takes. */
export const options: Options.Options<Connection> = /* @__PURE__ */ Options.all({
  endpoint: CliOptions.optional(
    Options.text("endpoint"),
    "URL",
    "KPS endpoint, such as the emulator's http://127.0.0.1:PORT; wins over --region"
  ),
  region: CliOptions.optional(
    Options.text("region"),
    "REGION",
    "Region id, such as cn-north-4 (default: HUAWEICLOUD_SDK_REGION)"
  ),
  projectId: CliOptions.optional(
    CliOptions.projectId,
    "ID",
    "Project id, 32 hex characters (default: HUAWEICLOUD_SDK_PROJECT_ID; with AK/SK, looked up in IAM)"
  ),
  token: CliOptions.optional(
    Options.redacted("token"),
    "TOKEN",
    "IAM token, sent as X-Auth-Token (default: KPS_TOKEN); prefer the environment"
  ),
  ak: CliOptions.optional(Options.text("ak"), "AK", "Access key id (default: HUAWEICLOUD_SDK_AK, then CLOUD_SDK_AK)"),
  sk: CliOptions.optional(
    Options.redacted("sk"),
    "SK",
    "Secret access key (default: HUAWEICLOUD_SDK_SK, then CLOUD_SDK_SK); prefer the environment"
  )
})

const projectIdVariable = "HUAWEICLOUD_SDK_PROJECT_ID"

/** `HUAWEICLOUD_SDK_PROJECT_ID`, when set and not blank, checked as `--project-id` is. */
const envProjectId: Config.Config<string | undefined> = /* @__PURE__ */ Environment.optionalString(projectIdVariable)
  .pipe(
    Config.mapOrFail((id) =>
      id === undefined ? Either.right(undefined) : Either.mapLeft(
        ProjectId.check(id.trim()),
        (problem) => ConfigError.InvalidData([projectIdVariable], `${projectIdVariable}: ${problem}`)
      )
    )
  )

/** None of the ways to give credentials was used: the error names every one. */
const noCredentials = "no credentials: give --token (or set KPS_TOKEN), or --ak and --sk (or set HUAWEICLOUD_SDK_AK " +
  "and HUAWEICLOUD_SDK_SK, or CLOUD_SDK_AK and CLOUD_SDK_SK)"

/** Whether any of the official SDKs' access key variables is set (and not blank). */
const envAccessKey: Config.Config<boolean> = /* @__PURE__ */ Config.all([
  Config.map(Environment.optionalString("HUAWEICLOUD_SDK_AK"), (value) => value !== undefined),
  Config.map(Environment.optionalSecret("HUAWEICLOUD_SDK_SK"), Option.isSome),
  Config.map(Environment.optionalString("CLOUD_SDK_AK"), (value) => value !== undefined),
  Config.map(Environment.optionalSecret("CLOUD_SDK_SK"), Option.isSome)
]).pipe(Config.map((set) => set.some((isSet) => isSet)))

/**
 * The credentials: `--token` (or `KPS_TOKEN`), or `--ak` with `--sk`, or the official SDKs' access
 * key variables when one is set. A half-given pair, or a token with a key, is a configuration
 * error, and so is none at all.
 */
const credentials = (connection: Connection, hasEnvAccessKey: boolean): Config.Config<Credentials.Credentials> => {
  const { ak, sk, token } = connection
  const hasKey = Option.isSome(ak) || Option.isSome(sk)
  if (Option.isSome(token)) {
    return hasKey
      ? Config.fail("give either --token or --ak with --sk, not both")
      : Config.succeed(Credentials.token(token.value))
  }
  if (hasKey) {
    if (Option.isNone(ak)) return Config.fail("--sk is given but --ak is not")
    if (Option.isNone(sk)) return Config.fail("--ak is given but --sk is not")
    return Config.map(
      Environment.optionalString("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
      (securityToken) =>
        Credentials.accessKey({
          accessKeyId: ak.value,
          secretAccessKey: sk.value,
          securityToken,
          projectId: Option.getOrUndefined(connection.projectId)
        })
    )
  }
  return hasEnvAccessKey ? Credentials.fromEnv : Config.fail(noCredentials)
}

/** `KPS_TOKEN`, when set and not blank. */
const envToken = /* @__PURE__ */ Environment.optionalSecret("KPS_TOKEN")

/** Whether the environment names a proxy (`HTTPS_PROXY`, `HTTP_PROXY`, in either case), not blank. */
const proxied: Config.Config<boolean> = /* @__PURE__ */ Config.map(
  Config.all(["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"].map(Environment.optionalString)),
  (values) => values.some((value) => value !== undefined)
)

/**
 * The transport: Node's own `node:http` client, which loads in a few milliseconds, for the one
 * request or the few polls a command sends; when the environment names a proxy, `KpsNode`'s
 * undici transport, which goes through it as the library does (`NO_PROXY` included), loaded then.
 */
const transport: Layer.Layer<HttpClient.HttpClient, ConfigError.ConfigError | KpsInvalidInput> = /* @__PURE__ */ Layer
  .unwrapEffect(Effect.flatMap(proxied, (isProxied) =>
    isProxied
      ? Effect.promise(() => import("@effect-kps/node/KpsNode")).pipe(
        // It also provides `KpsClient.TransportTimeouts`: undici times requests out itself.
        Effect.map((KpsNode): Layer.Layer<HttpClient.HttpClient, ConfigError.ConfigError | KpsInvalidInput> =>
          KpsNode.layerHttpClient
        )
      )
      : Effect.succeed(NodeHttpClient.layer)))

/**
 * A `KpsClient` over a Node transport (see `transport`): flags first, then the environment as the official SDKs
 * read it (`HUAWEICLOUD_SDK_REGION`, `HUAWEICLOUD_SDK_REGION_KPS_<REGION>`, …).
 */
export const layer = (
  connection: Connection
): Layer.Layer<KpsClient.KpsClient, ConfigError.ConfigError | KpsInvalidInput> =>
  Layer.unwrapEffect(Effect.map(
    // KPS_TOKEN, then the access key variables, are fallbacks of --token: the flags, when given,
    // win over the environment.
    Option.isSome(connection.token) || Option.isSome(connection.ak) || Option.isSome(connection.sk)
      ? Effect.succeed<readonly [Option.Option<Redacted.Redacted<string>>, boolean]>([Option.none(), false])
      : Effect.all([envToken, envAccessKey]),
    ([token, hasEnvAccessKey]) =>
      KpsClient.layerConfig({
        credentials: credentials(
          { ...connection, token: Option.orElse(connection.token, () => token) },
          hasEnvAccessKey
        ),
        projectId: Option.match(connection.projectId, { onNone: () => envProjectId, onSome: Config.succeed }),
        ...Option.match(connection.endpoint, {
          onNone: () => ({}),
          onSome: (url) => ({ endpoint: Config.succeed(url) })
        }),
        ...Option.match(connection.region, { onNone: () => ({}), onSome: (id) => ({ region: Config.succeed(id) }) })
      }).pipe(Layer.provide(transport))
  ))

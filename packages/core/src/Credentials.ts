/**
 * How requests prove who sends them: an IAM token, or an access key pair that signs each request.
 * Secrets live in `Redacted` from the moment they are given, so no error, log, span, `toString`
 * or `toJSON` shows them.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Redacted from "effect/Redacted"
import * as AccessKeyAuthentication from "./internal/accessKeyAuthentication.js"
import * as Authentication from "./internal/authentication.js"
import * as environment from "./internal/environment.js"

/**
 * An IAM token, sent as `X-Auth-Token`. Obtained from the `X-Subject-Token` header of IAM
 * `POST /v3/auth/tokens`; valid 24 hours and bound to one region.
 *
 * @since 0.1.0
 * @category models
 */
export class Token extends /* @__PURE__ */ Data.TaggedClass("Token")<{
  readonly token: Redacted.Redacted<string>
}> {
  /**
   * How a client authenticates with these credentials (internal).
   *
   * @since 0.1.0
   */
  "~effect-kps/authenticator"() {
    return Authentication.fromToken(Redacted.value(this.token))
  }
}

/**
 * An access key pair (AK/SK) that signs every request with SDK-HMAC-SHA256, as the official SDKs'
 * `BasicCredentials` do. Temporary credentials add a security token, sent (and signed) as
 * `X-Security-Token`. A project id given here is used when neither the client nor the call names
 * one.
 *
 * @since 0.1.0
 * @category models
 */
export class AccessKey extends /* @__PURE__ */ Data.TaggedClass("AccessKey")<{
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly securityToken: Redacted.Redacted<string> | undefined
  readonly projectId: string | undefined
}> {
  /**
   * How a client authenticates with these credentials (internal): signing, and IAM look-ups.
   *
   * @since 0.1.0
   */
  "~effect-kps/authenticator"() {
    return AccessKeyAuthentication.make(this)
  }
}

/**
 * The credentials a `KpsClient` authenticates its requests with.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = Token | AccessKey

const redact = (secret: Redacted.Redacted<string> | string): Redacted.Redacted<string> =>
  Redacted.isRedacted(secret) ? secret : Redacted.make(secret)

/**
 * Authenticates with an IAM token. A plain string is wrapped in `Redacted` at once.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-kps/core"
 * import { Redacted } from "effect"
 *
 * const credentials = Credentials.token(Redacted.make("MIIT..."))
 * String(credentials.token) // "<redacted>"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const token = (token: Redacted.Redacted<string> | string): Token => new Token({ token: redact(token) })

/**
 * Authenticates by signing each request with an access key pair. Plain strings are wrapped in
 * `Redacted` at once.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-kps/core"
 * import { Redacted } from "effect"
 *
 * const permanent = Credentials.accessKey({
 *   accessKeyId: "HPUAEXAMPLEAK0000001",
 *   secretAccessKey: Redacted.make("exampleSecretKey0000000000000000000000001")
 * })
 * const temporary = Credentials.accessKey({
 *   accessKeyId: "HPUATEMPORARYAK00001",
 *   secretAccessKey: Redacted.make("temporarySecretKey"),
 *   securityToken: Redacted.make("gQ5jbi1ub3J0aC00...")
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const accessKey = (options: {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string> | string
  readonly securityToken?: Redacted.Redacted<string> | string | undefined
  readonly projectId?: string | undefined
}): AccessKey =>
  new AccessKey({
    accessKeyId: options.accessKeyId,
    secretAccessKey: redact(options.secretAccessKey),
    securityToken: options.securityToken === undefined ? undefined : redact(options.securityToken),
    projectId: options.projectId
  })

/**
 * Access key credentials from the environment, as the official SDKs name them:
 * `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (or, when neither is set, `CLOUD_SDK_AK` and
 * `CLOUD_SDK_SK`, the names of the published sample code), `HUAWEICLOUD_SDK_SECURITY_TOKEN` for
 * temporary credentials and `HUAWEICLOUD_SDK_PROJECT_ID`. Missing or half-set credentials fail with
 * a `ConfigError` that names the variables, never their values.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-kps/core"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const credentials = Effect.withConfigProvider(
 *   Credentials.fromEnv,
 *   ConfigProvider.fromMap(new Map([["HUAWEICLOUD_SDK_AK", "AK"], ["HUAWEICLOUD_SDK_SK", "SK"]]))
 * )
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const fromEnv: Config.Config<Credentials> = /* @__PURE__ */ environment.credentials(accessKey)

/**
 * Whether a value is one of the {@link Credentials} variants.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isCredentials = (u: unknown): u is Credentials =>
  Authentication.isAuthenticating(u) && ((u as { readonly _tag?: unknown })._tag === "Token" ||
    (u as { readonly _tag?: unknown })._tag === "AccessKey")

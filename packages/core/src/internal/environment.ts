import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Credentials } from "../Credentials.js"

const present = <A>(config: Config.Config<A>, isBlank: (a: A) => boolean): Config.Config<Option.Option<A>> =>
  Config.option(config).pipe(Config.map(Option.filter((value) => !isBlank(value))))

/** A variable that may be unset; set but blank counts as unset. */
export const optionalString = (name: string): Config.Config<Option.Option<string>> =>
  present(Config.string(name), (value) => value.trim() === "")

const optionalRedacted = (name: string): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  present(Config.redacted(name), (value) => Redacted.value(value).trim() === "")

interface KeyPair {
  readonly prefix: string
  readonly ak: Option.Option<string>
  readonly sk: Option.Option<Redacted.Redacted<string>>
}

const keyPair = (prefix: string): Config.Config<KeyPair> =>
  Config.all({ ak: optionalString(`${prefix}_AK`), sk: optionalRedacted(`${prefix}_SK`) }).pipe(
    Config.map(({ ak, sk }) => ({ prefix, ak, sk }))
  )

const missing = (name: string, message: string) => Either.left(ConfigError.MissingData([name], message))

export const credentials = (
  accessKey: (options: {
    readonly accessKeyId: string
    readonly secretAccessKey: Redacted.Redacted<string>
    readonly securityToken: Redacted.Redacted<string> | undefined
    readonly projectId: string | undefined
  }) => Credentials
): Config.Config<Credentials> =>
  Config.all({
    huawei: keyPair("HUAWEICLOUD_SDK"),
    sample: keyPair("CLOUD_SDK"),
    securityToken: optionalRedacted("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
    projectId: optionalString("HUAWEICLOUD_SDK_PROJECT_ID")
  }).pipe(Config.mapOrFail(({ huawei, projectId, sample, securityToken }) => {
    // One pair or the other, never a mix: a half-set HUAWEICLOUD_SDK_* pair is a mistake to report.
    const pair = Option.isSome(huawei.ak) || Option.isSome(huawei.sk) ? huawei : sample
    const ak = `${pair.prefix}_AK`
    const sk = `${pair.prefix}_SK`
    if (Option.isNone(pair.ak) && Option.isNone(pair.sk)) {
      return missing(
        "HUAWEICLOUD_SDK_AK",
        "no access key: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or CLOUD_SDK_AK and CLOUD_SDK_SK)"
      )
    }
    if (Option.isNone(pair.ak)) return missing(ak, `${sk} is set but ${ak} is not`)
    if (Option.isNone(pair.sk)) return missing(sk, `${ak} is set but ${sk} is not`)
    return Either.right(accessKey({
      accessKeyId: pair.ak.value.trim(),
      secretAccessKey: pair.sk.value,
      securityToken: Option.getOrUndefined(securityToken),
      projectId: Option.getOrUndefined(Option.map(projectId, (id) => id.trim()))
    }))
  }))

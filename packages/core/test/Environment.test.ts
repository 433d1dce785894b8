import { Credentials, KpsClient } from "@effect-kps/core"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer, Redacted } from "effect"
import * as FakeHttp from "./fixtures/fakeHttp.js"

const secret = "exampleSecretKey0000000000000000000000001"
const env = (entries: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

const fromEnv = (entries: Record<string, string>) => Credentials.fromEnv.pipe(env(entries))
const fromEnvError = (entries: Record<string, string>) => Effect.map(Effect.flip(fromEnv(entries)), String)

describe("Credentials.fromEnv", () => {
  it.effect("reads the HUAWEICLOUD_SDK_* variables", () =>
    Effect.gen(function*() {
      const credentials = yield* fromEnv({
        HUAWEICLOUD_SDK_AK: "AK1",
        HUAWEICLOUD_SDK_SK: secret,
        HUAWEICLOUD_SDK_SECURITY_TOKEN: "token-1",
        HUAWEICLOUD_SDK_PROJECT_ID: "0123456789abcdef0123456789abcdef"
      })
      expect(credentials._tag).toBe("AccessKey")
      if (credentials._tag !== "AccessKey") return
      expect(credentials.accessKeyId).toBe("AK1")
      expect(Redacted.value(credentials.secretAccessKey)).toBe(secret)
      expect(credentials.securityToken && Redacted.value(credentials.securityToken)).toBe("token-1")
      expect(credentials.projectId).toBe("0123456789abcdef0123456789abcdef")
    }))

  it.effect("falls back to the CLOUD_SDK_* names of the sample code", () =>
    Effect.gen(function*() {
      const credentials = yield* fromEnv({ CLOUD_SDK_AK: "AK2", CLOUD_SDK_SK: secret })
      expect(credentials).toMatchObject({ _tag: "AccessKey", accessKeyId: "AK2", securityToken: undefined })
    }))

  it.effect("prefers the HUAWEICLOUD_SDK_* pair when both are set", () =>
    Effect.gen(function*() {
      const credentials = yield* fromEnv({
        HUAWEICLOUD_SDK_AK: "AK1",
        HUAWEICLOUD_SDK_SK: secret,
        CLOUD_SDK_AK: "AK2",
        CLOUD_SDK_SK: "other"
      })
      expect(credentials).toMatchObject({ accessKeyId: "AK1" })
    }))

  it.effect("names what is missing, never a value", () =>
    Effect.gen(function*() {
      const none = yield* fromEnvError({})
      expect(none).toContain("HUAWEICLOUD_SDK_AK")
      expect(none).toContain("CLOUD_SDK_SK")

      const noSecret = yield* fromEnvError({ HUAWEICLOUD_SDK_AK: "AK-VISIBLE" })
      expect(noSecret).toContain("HUAWEICLOUD_SDK_SK")
      expect(noSecret).not.toContain("AK-VISIBLE")

      const noKeyId = yield* fromEnvError({ HUAWEICLOUD_SDK_SK: secret })
      expect(noKeyId).toContain("HUAWEICLOUD_SDK_AK")
      expect(noKeyId).not.toContain(secret)

      // A half-set HUAWEICLOUD pair is not completed from the CLOUD pair.
      const mixed = yield* fromEnvError({ HUAWEICLOUD_SDK_AK: "AK1", CLOUD_SDK_SK: secret })
      expect(mixed).toContain("HUAWEICLOUD_SDK_SK")
      expect(mixed).not.toContain(secret)

      const halfSample = yield* fromEnvError({ CLOUD_SDK_SK: secret })
      expect(halfSample).toContain("CLOUD_SDK_AK")
      expect(halfSample).not.toContain(secret)
    }))

  it.effect("treats blank variables as unset", () =>
    Effect.gen(function*() {
      expect(yield* fromEnvError({ HUAWEICLOUD_SDK_AK: "AK1", HUAWEICLOUD_SDK_SK: "  " })).toContain(
        "HUAWEICLOUD_SDK_SK"
      )
      const credentials = yield* fromEnv({
        HUAWEICLOUD_SDK_AK: "AK1",
        HUAWEICLOUD_SDK_SK: secret,
        HUAWEICLOUD_SDK_SECURITY_TOKEN: "",
        HUAWEICLOUD_SDK_PROJECT_ID: " "
      })
      expect(credentials).toMatchObject({ securityToken: undefined, projectId: undefined })
    }))
})

describe("KpsClient.layerConfig from the environment", () => {
  const taskBody = () => FakeHttp.json(200, { task_status: "SUCCESS_RESET" })
  const urlsSent = (entries: Record<string, string>, options?: KpsClient.ConfigOptions) =>
    Effect.gen(function*() {
      yield* KpsClient.getTask("t-1")
      return (yield* FakeHttp.sent).map((request) => request.url)
    }).pipe(
      Effect.provide(KpsClient.layerConfig(options).pipe(Layer.provideMerge(FakeHttp.layer(taskBody)))),
      env(entries)
    )
  const base = {
    HUAWEICLOUD_SDK_AK: "AK1",
    HUAWEICLOUD_SDK_SK: secret,
    HUAWEICLOUD_SDK_PROJECT_ID: "0123456789abcdef0123456789abcdef"
  }

  it.effect("takes the region from HUAWEICLOUD_SDK_REGION", () =>
    Effect.gen(function*() {
      expect(yield* urlsSent({ ...base, HUAWEICLOUD_SDK_REGION: "ap-southeast-1" })).toEqual([
        "https://kms.ap-southeast-1.myhuaweicloud.com/v3/0123456789abcdef0123456789abcdef/tasks/t-1"
      ])
    }))

  it.effect("lets HUAWEICLOUD_SDK_REGION_KPS_<REGION> override that region's endpoint", () =>
    Effect.gen(function*() {
      expect(
        yield* urlsSent({
          ...base,
          HUAWEICLOUD_SDK_REGION: "cn-north-4",
          HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4: "http://127.0.0.1:8080/kps",
          HUAWEICLOUD_SDK_REGION_KPS_AP_SOUTHEAST_1: "http://127.0.0.1:9999"
        })
      ).toEqual(["http://127.0.0.1:8080/kps/v3/0123456789abcdef0123456789abcdef/tasks/t-1"])
    }))

  it.effect("lets an explicit endpoint win over both", () =>
    Effect.gen(function*() {
      const urls = yield* urlsSent(
        {
          ...base,
          HUAWEICLOUD_SDK_REGION: "cn-north-4",
          HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4: "http://127.0.0.1:8080/kps",
          MY_ENDPOINT: "http://127.0.0.1:7000"
        },
        { endpoint: Config.string("MY_ENDPOINT") }
      )
      expect(urls).toEqual(["http://127.0.0.1:7000/v3/0123456789abcdef0123456789abcdef/tasks/t-1"])
    }))

  it.effect("reads the IAM endpoint from HUAWEICLOUD_SDK_IAM_ENDPOINT when it must look the project up", () =>
    Effect.gen(function*() {
      const { HUAWEICLOUD_SDK_PROJECT_ID: _, ...withoutProject } = base
      const failure = yield* urlsSent({
        ...withoutProject,
        HUAWEICLOUD_SDK_REGION: "cn-north-4",
        HUAWEICLOUD_SDK_IAM_ENDPOINT: "http://127.0.0.1:5000"
      }).pipe(Effect.flip)
      // The fake answers every request with a task, which is not a project list.
      expect(failure).toMatchObject({ _tag: "KpsDecodeError" })
      expect(failure.message).toContain("IAM project list")
    }))

  it.effect("accepts the whole options as one Config", () =>
    Effect.gen(function*() {
      const urls = yield* urlsSent(
        {},
        Config.all({
          endpoint: Config.succeed("http://127.0.0.1:7001"),
          projectId: Config.succeed("p1"),
          credentials: Config.succeed(Credentials.token("t"))
        })
      )
      expect(urls).toEqual(["http://127.0.0.1:7001/v3/p1/tasks/t-1"])
    }))

  it.effect("fails with a ConfigError when the environment has no credentials", () =>
    Effect.gen(function*() {
      const error = yield* urlsSent({ HUAWEICLOUD_SDK_REGION: "cn-north-4" }).pipe(Effect.flip)
      expect(String(error)).toContain("HUAWEICLOUD_SDK_AK")
    }))
})

import { Credentials, KpsClient } from "@effect-kps/core"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, TestClock } from "effect"

const accessKeyId = "HPUAEXAMPLEAK0000001"
const secret = "exampleSecretKey0000000000000000000000001"

const scenario: KpsTesting.Scenario = {
  credentials: { accessKeys: { [accessKeyId]: secret }, tokens: ["good-token"] },
  tasks: { "t-1": [KpsTesting.status("RUNNING_BIND", { for: "10 seconds" }), KpsTesting.status("SUCCESS_BIND")] }
}

describe("KpsClient.layerConfig with only AK, SK and region", () => {
  const fromEnvOnly = KpsClient.layerConfig().pipe(Layer.provideMerge(KpsTesting.layer(scenario)))

  it.effect("sends correctly signed requests with the project id resolved through IAM", () =>
    // The stub's timelines start when its layer is built: set the clock first.
    Effect.zipRight(TestClock.setTime(Date.UTC(2026, 10, 27, 12, 0, 0)), queryTwice))

  const queryTwice = Effect.gen(function*() {
    expect((yield* KpsClient.getTask("t-1")).taskStatus).toBe("RUNNING_BIND")
    yield* TestClock.adjust("10 seconds")
    expect((yield* KpsClient.getTask("t-1")).taskStatus).toBe("SUCCESS_BIND")

    const [lookup, first, second, ...rest] = yield* KpsTesting.requests
    expect(rest).toHaveLength(0)
    expect(lookup.url).toBe("https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4")
    expect(lookup.headers["x-project-id"]).toBeUndefined()
    for (const request of [first, second]) {
      expect(request.url).toBe(`https://kms.cn-north-4.myhuaweicloud.com/v3/${KpsTesting.projectId}/tasks/t-1`)
      expect(request.headers["x-project-id"]).toBe(KpsTesting.projectId)
      expect(request.headers["authorization"]).toMatch(
        /^SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/
      )
    }
    // The dates come from the TestClock; the stub verified each signature against them.
    expect([lookup, first, second].map((request) => request.headers["x-sdk-date"])).toEqual([
      "20261127T120000Z",
      "20261127T120000Z",
      "20261127T120010Z"
    ])
  }).pipe(
    Effect.provide(fromEnvOnly),
    Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map([
        ["HUAWEICLOUD_SDK_AK", accessKeyId],
        ["HUAWEICLOUD_SDK_SK", secret],
        ["HUAWEICLOUD_SDK_REGION", "cn-north-4"]
      ])
    ))
  )
})

describe("KpsTesting as the gateway", () => {
  const withCredentials = (credentials: Credentials.Credentials) =>
    KpsTesting.layerClient(scenario, { region: "cn-north-4", endpoint: undefined, credentials })

  it.effect("accepts a configured token and a valid signature", () =>
    Effect.gen(function*() {
      const byToken = yield* KpsClient.getTask("t-1").pipe(
        Effect.provide(withCredentials(Credentials.token("good-token")))
      )
      const bySignature = yield* KpsClient.getTask("t-1").pipe(
        Effect.provide(withCredentials(Credentials.accessKey({ accessKeyId, secretAccessKey: secret })))
      )
      expect([byToken.taskStatus, bySignature.taskStatus]).toEqual(["RUNNING_BIND", "RUNNING_BIND"])
    }))

  it.effect("answers 401 APIG.0301 to a wrong token, a wrong secret, an unknown key or none", () =>
    Effect.gen(function*() {
      const rejected = (credentials: Credentials.Credentials) =>
        Effect.flip(KpsClient.getTask("t-1").pipe(Effect.provide(withCredentials(credentials))))
      const failures = [
        yield* rejected(Credentials.token("bad-token")),
        yield* rejected(Credentials.accessKey({ accessKeyId, secretAccessKey: "wrong" })),
        yield* rejected(Credentials.accessKey({ accessKeyId: "UNKNOWNAK", secretAccessKey: secret }))
      ]
      for (const failure of failures) {
        expect(failure).toMatchObject({ _tag: "KpsApiError", status: 401, errorCode: "APIG.0301" })
      }
      expect(failures[1].message).toContain("verify aksk signature fail")
    }))

  it.effect("lists the projects it is told, so an ambiguous region is reported", () =>
    Effect.gen(function*() {
      const error = yield* KpsClient.getTask("t-1").pipe(
        Effect.provide(KpsTesting.layerClient({
          projects: [
            { id: "a".repeat(32), name: "cn-north-4" },
            { id: "b".repeat(32), name: "cn-north-4" },
            { id: "c".repeat(32), name: "cn-east-3" }
          ]
        }, {
          region: "cn-north-4",
          endpoint: undefined,
          projectId: undefined,
          credentials: Credentials.accessKey({ accessKeyId, secretAccessKey: secret })
        })),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "projectId" })
      expect(error.message).toContain("2 projects named cn-north-4")
    }))
})

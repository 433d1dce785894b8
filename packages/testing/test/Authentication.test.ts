import { Credentials, KpsClient, Signer } from "@effect-kps/core"
import { KpsTesting } from "@effect-kps/testing"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted, TestClock } from "effect"

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

describe("KpsTesting as the gateway, for requests with a body", () => {
  const signed = KpsTesting.layerClient(scenario, {
    credentials: Credentials.accessKey({ accessKeyId, secretAccessKey: secret })
  })
  const associateUrl = `${KpsTesting.endpoint}/v3/${KpsTesting.projectId}/keypairs/associate`
  const body = (serverId: string) =>
    new TextEncoder().encode(JSON.stringify({ keypair_name: "deploy", server: { id: serverId } }))

  it.effect("accepts the client's signed POSTs and DELETEs, whose signature covers the body", () =>
    Effect.gen(function*() {
      const started = yield* KpsClient.associateKeypair({
        keypairName: "deploy",
        server: { id: "srv-1", auth: { type: "password", key: Redacted.make("root-password") } }
      })
      const [batched] = yield* KpsClient.batchAssociateKeypairs([{ keypairName: "deploy", server: { id: "srv-2" } }])
      yield* KpsClient.deleteAllFailedTasks()
      expect(started.taskId).toBe("stub-task-000001")
      expect(batched).toMatchObject({ right: { taskId: "stub-task-000002" } })
      const requests = yield* KpsTesting.requests
      expect(requests.map((request) => request.method)).toEqual(["POST", "POST", "DELETE"])
      for (const request of requests) expect(request.headers["authorization"]).toMatch(/^SDK-HMAC-SHA256 /)
    }).pipe(Effect.provide(signed)))

  it.effect("refuses a signed POST whose body was changed after signing: 401 APIG.0301", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const request = HttpClientRequest.post(associateUrl).pipe(
        HttpClientRequest.setHeader("x-project-id", KpsTesting.projectId),
        HttpClientRequest.bodyUint8Array(body("srv-1"), "application/json")
      )
      const key = { accessKeyId, secretAccessKey: Redacted.make(secret) }
      const intact = yield* Signer.signRequest(request, key)
      const tampered = HttpClientRequest.bodyUint8Array(intact, body("srv-2"), "application/json")

      const accepted = yield* client.execute(intact)
      expect(accepted.status).toBe(202)
      const refused = yield* client.execute(tampered)
      expect(refused.status).toBe(401)
      expect(yield* refused.json).toMatchObject({
        error_code: "APIG.0301",
        error_msg: "Incorrect IAM authentication information: verify aksk signature fail (SignatureMismatch)"
      })
      // The same headers went with both: only the body differed.
      const [first, second] = yield* KpsTesting.requests
      expect(second.headers["authorization"]).toBe(first.headers["authorization"])
      expect([first.body, second.body].map((text) => JSON.parse(text).server.id)).toEqual(["srv-1", "srv-2"])
      expect((yield* KpsTesting.started).map((task) => task.serverId)).toEqual(["srv-1"])
    }).pipe(Effect.provide(KpsTesting.layer(scenario))))

  it.effect("checks who is asking before the route's script: a refused POST meets no 503", () =>
    Effect.gen(function*() {
      const clientWith = (credentials: Credentials.Credentials) =>
        KpsClient.make({ endpoint: KpsTesting.endpoint, projectId: KpsTesting.projectId, credentials })
      const unknown = yield* clientWith(Credentials.token("bad-token"))
      const known = yield* clientWith(Credentials.accessKey({ accessKeyId, secretAccessKey: secret }))
      const request = { keypairName: "deploy", server: { id: "srv-1" } }
      expect(yield* Effect.flip(unknown.associateKeypair(request))).toMatchObject({
        status: 401,
        errorCode: "APIG.0301"
      })
      expect(yield* Effect.flip(known.associateKeypair(request))).toMatchObject({ status: 503 })
      expect((yield* known.associateKeypair(request)).taskId).toBe("stub-task-000001")
    }).pipe(Effect.provide(KpsTesting.layer({
      ...scenario,
      routes: {
        associateKeypair: [
          KpsTesting.apiError(503, { code: "KPS.0003", message: "busy" }, { times: 1 }),
          KpsTesting.pass()
        ]
      }
    }))))
})

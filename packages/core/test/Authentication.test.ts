import { Credentials, KpsClient, Signer } from "@effect-kps/core"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Inspectable, Layer, Redacted, Schedule, TestClock } from "effect"
import { adjustWhenSleeping } from "./fixtures/clock.js"
import * as FakeHttp from "./fixtures/fakeHttp.js"

const accessKeyId = "HPUAEXAMPLEAK0000001"
const secret = "exampleSecretKey0000000000000000000000001"
const securityToken = "gQ5jbi1ub3J0aC00secret-security-token"
const projectId = "0123456789abcdef0123456789abcdef"
const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
const vectorDate = Date.UTC(2024, 0, 2, 3, 4, 5)

const permanent = Credentials.accessKey({ accessKeyId, secretAccessKey: Redacted.make(secret) })
const temporary = Credentials.accessKey({ accessKeyId, secretAccessKey: secret, securityToken })

/** Answers like the API gateway: verifies the signature, then answers with `ok`. */
const gateway =
  (ok: (url: URL) => FakeHttp.Answer = () => FakeHttp.json(200, { task_status: "RUNNING_RESET" })) =>
  (url: URL, request: HttpClientRequest.HttpClientRequest) =>
    Signer.verify(
      { method: request.method, url, headers: request.headers },
      (id) => id === accessKeyId ? Redacted.make(secret) : undefined
    ).pipe(Effect.match({
      onFailure: (error) =>
        FakeHttp.json(401, { error_code: "APIG.0301", error_msg: `verify aksk signature fail: ${error.reason}` }),
      onSuccess: () => ok(url)
    }))

const clientOver = (
  answer: Parameters<typeof FakeHttp.layer>[0],
  options: Partial<KpsClient.Options> = {}
) =>
  KpsClient.layer({
    endpoint: "https://kms.cn-north-4.myhuaweicloud.com",
    projectId,
    credentials: permanent,
    ...options
  }).pipe(Layer.provideMerge(FakeHttp.layer(answer)))

describe("AK/SK signing in KpsClient", () => {
  it.effect("signs the task query exactly as the spec vector", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(vectorDate)
      yield* KpsClient.getTask(taskId)
      const [request] = yield* FakeHttp.sent
      expect(request.headers["x-sdk-date"]).toBe("20240102T030405Z")
      expect(request.headers["authorization"]).toBe(
        "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=e4ecdfc092a67d9e73e459e50b35349ae5038d563bd25db8e0d091860067da39"
      )
      expect(request.headers["x-auth-token"]).toBeUndefined()
    }).pipe(Effect.provide(clientOver(gateway()))))

  it.effect("sends and signs the security token of temporary credentials", () =>
    Effect.gen(function*() {
      yield* KpsClient.getTask(taskId)
      const [request] = yield* FakeHttp.sent
      expect(request.headers["x-security-token"]).toBe(securityToken)
      expect(request.headers["authorization"]).toContain(
        "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,"
      )
    }).pipe(Effect.provide(clientOver(gateway(), { credentials: temporary }))))

  it.effect("signs last, after the request mappings of transformClient", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(taskId)
      expect(task.taskStatus).toBe("RUNNING_RESET")
      const [request] = yield* FakeHttp.sent
      expect(request.headers["content-type"]).toBe("application/json;charset=UTF-8")
    }).pipe(Effect.provide(clientOver(gateway(), {
      transformClient: HttpClient.mapRequest(
        HttpClientRequest.setHeader("Content-Type", "application/json;charset=UTF-8")
      )
    }))))

  it.effect("signs every attempt of a retry afresh", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(vectorDate)
      const fiber = yield* Effect.fork(KpsClient.getTask(taskId))
      yield* adjustWhenSleeping("20 minutes")
      const task = yield* Fiber.join(fiber)
      expect(task.taskStatus).toBe("RUNNING_RESET")
      const dates = (yield* FakeHttp.sent).map((request) => request.headers["x-sdk-date"])
      expect(dates).toEqual(["20240102T030405Z", "20240102T032405Z"])
    }).pipe(Effect.provide(clientOver(
      (() => {
        let calls = 0
        return (url, request) =>
          ++calls === 1 ? FakeHttp.json(503, { error_code: "APIG.0201", error_msg: "down" }) : gateway()(url, request)
      })(),
      {
        transformClient: HttpClient.retryTransient({ schedule: Schedule.spaced("20 minutes"), times: 1 }),
        timeout: "1 hour"
      }
    ))))

  it.effect("reports a signature the gateway rejects as a terminal API error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(taskId))
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 401, errorCode: "APIG.0301" })
    }).pipe(Effect.provide(clientOver(gateway(), {
      credentials: Credentials.accessKey({ accessKeyId, secretAccessKey: "not the secret" })
    }))))

  const badKeys: ReadonlyArray<readonly [string, Credentials.Credentials, string]> = [
    ["an empty access key id", Credentials.accessKey({ accessKeyId: "", secretAccessKey: secret }), "accessKeyId"],
    [
      "an access key id with a space",
      Credentials.accessKey({ accessKeyId: "AK 1", secretAccessKey: secret }),
      "accessKeyId"
    ],
    ["an empty secret", Credentials.accessKey({ accessKeyId, secretAccessKey: "" }), "secretAccessKey"],
    [
      "a security token with a line break",
      Credentials.accessKey({ accessKeyId, secretAccessKey: secret, securityToken: "tok\nen" }),
      "securityToken"
    ]
  ]
  for (const [name, credentials, field] of badKeys) {
    it.effect(`rejects ${name} before sending`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          KpsClient.make({ endpoint: "https://kms.example.com", projectId, credentials })
        )
        expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: `credentials.${field}` })
        expect(error.message).not.toContain(secret)
        expect(error.message).not.toContain("tok\nen")
        expect(yield* FakeHttp.sent).toHaveLength(0)
      }).pipe(Effect.provide(FakeHttp.layer(() => FakeHttp.json(200, {})))))
  }
})

describe("access key secrets never leak", () => {
  it("AccessKey credentials print as redacted", () => {
    for (const text of [String(temporary), JSON.stringify(temporary), Inspectable.format(temporary)]) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(securityToken)
    }
  })

  const echoes: ReadonlyArray<readonly [string, () => FakeHttp.Answer]> = [
    [
      "an API error",
      () => FakeHttp.json(403, { error_code: "APIG.0302", error_msg: `sk=${secret} token=${securityToken}` })
    ],
    ["a decode error", () => new Response(`sk=${secret} token=${securityToken}`, { status: 200 })],
    ["a transport error", () => ({ fail: new Error(`sk=${secret} token=${securityToken}`) })]
  ]
  for (const [kind, answer] of echoes) {
    it.effect(`scrubs an echoed secret and security token from ${kind}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(KpsClient.getTask(taskId))
        expect(error.message).toContain("<redacted>")
        for (const text of [error.message, String(error), JSON.stringify(error), Inspectable.format(error)]) {
          expect(text).not.toContain(secret)
          expect(text).not.toContain(securityToken)
        }
      }).pipe(Effect.provide(clientOver(answer, { credentials: temporary }))))
  }
})

describe("project id resolution through IAM", () => {
  const iam =
    (projects: ReadonlyArray<{ id: string; name: string }>) =>
    (url: URL, request: HttpClientRequest.HttpClientRequest) =>
      url.pathname.endsWith("/v3/projects")
        ? gateway(() => FakeHttp.json(200, { projects, links: {} }))(url, request)
        : gateway()(url, request)
  const oneProject = iam([{ id: projectId, name: "cn-north-4" }])
  const noProjectId = { projectId: undefined, endpoint: undefined, region: "cn-north-4" }

  it.effect("looks the region's project up once, signed and without X-Project-Id", () =>
    Effect.gen(function*() {
      yield* KpsClient.getTask(taskId)
      yield* KpsClient.getTask("another-task")
      const [lookup, ...queries] = yield* FakeHttp.sent
      expect(lookup.url).toBe("https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4")
      expect(lookup.headers["x-project-id"]).toBeUndefined()
      expect(lookup.headers["authorization"]).toContain("SignedHeaders=content-type;host;x-sdk-date,")
      expect(queries.map((query) => query.url)).toEqual([
        `https://kms.cn-north-4.myhuaweicloud.com/v3/${projectId}/tasks/${taskId}`,
        `https://kms.cn-north-4.myhuaweicloud.com/v3/${projectId}/tasks/another-task`
      ])
      expect(queries[0].headers["x-project-id"]).toBe(projectId)
    }).pipe(Effect.provide(clientOver(oneProject, noProjectId))))

  it.effect("makes one IAM request for many concurrent first calls", () =>
    Effect.gen(function*() {
      yield* Effect.all(Array.from({ length: 20 }, (_, i) => KpsClient.getTask(`task-${i}`)), {
        concurrency: "unbounded"
      })
      const sent = yield* FakeHttp.sent
      expect(sent.filter((request) => request.url.includes("/v3/projects"))).toHaveLength(1)
      expect(sent).toHaveLength(21)
    }).pipe(Effect.provide(clientOver(oneProject, noProjectId))))

  it.effect("says when IAM has no project of that name, or several", () =>
    Effect.gen(function*() {
      const none = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(clientOver(iam([]), noProjectId)),
        Effect.flip
      )
      expect(none).toMatchObject({ _tag: "KpsInvalidInput", field: "projectId" })
      expect(none.message).toContain("no project named cn-north-4")
      const several = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(
          clientOver(
            iam([{ id: "a".repeat(32), name: "cn-north-4" }, { id: "b".repeat(32), name: "cn-north-4" }]),
            noProjectId
          )
        ),
        Effect.flip
      )
      expect(several.message).toContain("2 projects named cn-north-4")
      expect(several.message).toContain("a".repeat(32))
    }))

  it.effect("does not cache a failed lookup", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(KpsClient.getTask(taskId))).toMatchObject({ _tag: "KpsApiError", status: 503 })
      expect((yield* KpsClient.getTask(taskId)).taskStatus).toBe("RUNNING_RESET")
      const sent = yield* FakeHttp.sent
      expect(sent.filter((request) => request.url.includes("/v3/projects"))).toHaveLength(2)
    }).pipe(Effect.provide(clientOver(
      (() => {
        let lookups = 0
        return (url, request) =>
          url.pathname === "/v3/projects" && ++lookups === 1
            ? FakeHttp.json(503, { error_code: "APIG.0201", error_msg: "backend unavailable" })
            : oneProject(url, request)
      })(),
      noProjectId
    ))))

  it.effect("uses an IAM endpoint override", () =>
    Effect.gen(function*() {
      yield* KpsClient.getTask(taskId)
      const [lookup] = yield* FakeHttp.sent
      expect(lookup.url).toBe("http://127.0.0.1:5000/iam/v3/projects?name=cn-north-4")
    }).pipe(Effect.provide(clientOver(oneProject, { ...noProjectId, iamEndpoint: "http://127.0.0.1:5000/iam/" }))))

  it.effect("prefers the call's, the client's, then the credentials' project id over a lookup", () =>
    Effect.gen(function*() {
      const withProject = yield* KpsClient.make({
        region: "cn-north-4",
        credentials: Credentials.accessKey({ accessKeyId, secretAccessKey: secret, projectId: "c".repeat(32) })
      })
      yield* withProject.getTask(taskId)
      yield* withProject.getTask(taskId, { projectId: "d".repeat(32) })
      const urls = (yield* FakeHttp.sent).map((request) => new URL(request.url).pathname.split("/")[2])
      expect(urls).toEqual(["c".repeat(32), "d".repeat(32)])
    }).pipe(Effect.provide(FakeHttp.layer(oneProject))))

  it.effect("needs a region to look a project up", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(taskId))
      expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "projectId" })
      expect(error.message).toContain("region")
      expect(yield* FakeHttp.sent).toHaveLength(0)
    }).pipe(Effect.provide(clientOver(oneProject, { projectId: undefined }))))
})

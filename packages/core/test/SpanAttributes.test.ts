import { Credentials, KpsClient } from "@effect-kps/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Redacted, TestClock, type Tracer } from "effect"
import * as FakeHttp from "./fixtures/fakeHttp.js"
import * as Tracing from "./fixtures/tracing.js"

// The attributes of a call's client span, as OpenTelemetry's HTTP client conventions name them:
// http.request.method, url.full, server.address, server.port, http.response.status_code (only
// when there was an answer) and error.type (only on failure).

const token = "MIItoken-SPAN-0123456789abcdef"
const secret = "spanSecretKey000000000000000000000000001"
const projectId = "0123456789abcdef0123456789abcdef"
const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
const taskUrl = `https://kms.cn-north-4.myhuaweicloud.com/v3/${projectId}/tasks/${taskId}`

const clientOver = (
  answer: Parameters<typeof FakeHttp.layer>[0],
  options: Partial<KpsClient.Options> = {}
) =>
  KpsClient.layer({
    endpoint: "https://kms.cn-north-4.myhuaweicloud.com",
    projectId,
    credentials: Credentials.token(Redacted.make(token)),
    ...options
  }).pipe(Layer.provide(FakeHttp.layer(answer)))

/** Runs `effect` under a recording tracer; its exit and every span it started, ended. */
const traced = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const { spans, tracer } = yield* Tracing.recordingTracer
    const exit = yield* Effect.exit(Effect.withTracer(effect, tracer))
    for (const span of spans) expect(span.status._tag).toBe("Ended")
    return { exit, spans }
  })

const attributesOf = (span: Tracer.Span) => Object.fromEntries(span.attributes)

const endedWith = (span: Tracer.Span) => span.status._tag === "Ended" ? span.status.exit : undefined

/** No attribute of any span holds one of the secrets. */
const expectNoSecret = (spans: ReadonlyArray<Tracer.Span>, secrets: ReadonlyArray<string>) => {
  for (const span of spans) {
    for (const [key, value] of span.attributes) {
      for (const secretText of secrets) expect(`${key}=${String(value)}`).not.toContain(secretText)
    }
  }
}

describe("a call's client span", () => {
  it.effect("names the request, the server and the answer", () =>
    Effect.gen(function*() {
      const { exit, spans } = yield* traced(
        KpsClient.getTask(taskId).pipe(
          Effect.provide(
            clientOver(() => FakeHttp.json(200, { task_status: "SUCCESS_RESET" }, { "x-request-id": "req-ok" }))
          )
        )
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(spans).toHaveLength(1)
      expect(spans[0].kind).toBe("client")
      expect(attributesOf(spans[0])).toEqual({
        "kps.task_id": taskId,
        "kps.project_id": projectId,
        "http.request.method": "GET",
        "url.full": taskUrl,
        "server.address": "kms.cn-north-4.myhuaweicloud.com",
        "server.port": 443,
        "http.response.status_code": 200,
        "kps.request_id": "req-ok"
      })
      expectNoSecret(spans, [token])
    }))

  it.effect("takes an explicit port and an IPv6 address from the endpoint", () =>
    Effect.gen(function*() {
      const answer = () => FakeHttp.json(200, { task_status: "RUNNING_RESET" })
      const local = yield* traced(
        KpsClient.getTask(taskId).pipe(Effect.provide(clientOver(answer, { endpoint: "http://127.0.0.1:8080/kps" })))
      )
      expect(attributesOf(local.spans[0])).toMatchObject({
        "url.full": `http://127.0.0.1:8080/kps/v3/${projectId}/tasks/${taskId}`,
        "server.address": "127.0.0.1",
        "server.port": 8080
      })
      const ipv6 = yield* traced(
        KpsClient.getTask(taskId).pipe(Effect.provide(clientOver(answer, { endpoint: "http://[::1]:9000" })))
      )
      expect(attributesOf(ipv6.spans[0])).toMatchObject({ "server.address": "::1", "server.port": 9000 })
      const plain = yield* traced(
        KpsClient.getTask(taskId).pipe(Effect.provide(clientOver(answer, { endpoint: "http://localhost" })))
      )
      expect(attributesOf(plain.spans[0])).toMatchObject({ "server.address": "localhost", "server.port": 80 })
    }))

  it.effect("an error answer: its status code as error.type, and the span fails", () =>
    Effect.gen(function*() {
      const { exit, spans } = yield* traced(
        KpsClient.getTask(taskId).pipe(
          Effect.provide(clientOver(() =>
            FakeHttp.json(429, { error_code: "APIG.0308", error_msg: `slow down, ${token}` }, {
              "retry-after": "3",
              "x-request-id": "req-429"
            })
          ))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(attributesOf(spans[0])).toMatchObject({
        "http.response.status_code": 429,
        "kps.request_id": "req-429",
        "error.type": "429"
      })
      expect(Exit.isFailure(endedWith(spans[0])!)).toBe(true)
      expectNoSecret(spans, [token])
    }))

  it.effect("no answer: the error's tag and reason, and no status code", () =>
    Effect.gen(function*() {
      const refused = Object.assign(new Error(`connect ECONNREFUSED, token ${token}`), { code: "ECONNREFUSED" })
      const { spans } = yield* traced(
        KpsClient.getTask(taskId).pipe(Effect.provide(clientOver(() => ({ fail: refused }))))
      )
      const attributes = attributesOf(spans[0])
      expect(attributes).toMatchObject({
        "http.request.method": "GET",
        "url.full": taskUrl,
        "error.type": "KpsTransportError",
        "kps.error.reason": "ConnectionRefused"
      })
      expect(attributes).not.toHaveProperty("http.response.status_code")
      expect(Exit.isFailure(endedWith(spans[0])!)).toBe(true)
      expectNoSecret(spans, [token])
    }))

  it.effect("a timeout: KpsTransportError with reason Timeout", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* Tracing.recordingTracer
      const fiber = yield* Effect.fork(
        Effect.exit(Effect.withTracer(KpsClient.getTask(taskId, { timeout: "2 seconds" }), tracer))
      )
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.join(fiber)
      expect(exit).toMatchObject({ _tag: "Failure" })
      expect(attributesOf(spans[0])).toMatchObject({ "error.type": "KpsTransportError", "kps.error.reason": "Timeout" })
      expect(attributesOf(spans[0])).not.toHaveProperty("http.response.status_code")
    }).pipe(Effect.provide(clientOver(() => "hang"))))

  it.effect("a 2xx answer that does not decode: KpsDecodeError, with the status code", () =>
    Effect.gen(function*() {
      const { spans } = yield* traced(
        KpsClient.getTask(taskId).pipe(Effect.provide(clientOver(() => new Response("<html>", { status: 200 }))))
      )
      expect(attributesOf(spans[0])).toMatchObject({ "http.response.status_code": 200, "error.type": "KpsDecodeError" })
    }))

  it.effect("bad input: KpsInvalidInput, and no request attributes (nothing was sent)", () =>
    Effect.gen(function*() {
      const { spans } = yield* traced(
        KpsClient.getTask("../etc").pipe(Effect.provide(clientOver(() => FakeHttp.json(200, {}))))
      )
      const attributes = attributesOf(spans[0])
      expect(attributes).toEqual({ "error.type": "KpsInvalidInput" })
      expect(Exit.isFailure(endedWith(spans[0])!)).toBe(true)
    }))

  it.effect("the IAM project lookup: its own client span with the query in url.full; its failure fails the call", () =>
    Effect.gen(function*() {
      const accessKey = Credentials.accessKey({ accessKeyId: "HPUASPANAK0000000001", secretAccessKey: secret })
      const lookupFails = clientOver(
        (url) =>
          url.pathname === "/v3/projects"
            ? FakeHttp.json(503, { error_code: "APIG.0201", error_msg: "backend unavailable" })
            : FakeHttp.json(200, { task_status: "RUNNING_RESET" }),
        { projectId: undefined, endpoint: undefined, region: "cn-north-4", credentials: accessKey }
      )
      const { exit, spans } = yield* traced(KpsClient.getTask(taskId).pipe(Effect.provide(lookupFails)))
      expect(Exit.isFailure(exit)).toBe(true)
      const byName = Object.fromEntries(spans.map((span) => [span.name, span]))
      expect(Object.keys(byName).sort()).toEqual(["KpsClient.getTask", "KpsClient.resolveProjectId"])
      const lookup = byName["KpsClient.resolveProjectId"]
      expect(lookup.parent._tag === "Some" && lookup.parent.value).toBe(byName["KpsClient.getTask"])
      expect(attributesOf(lookup)).toMatchObject({
        "http.request.method": "GET",
        "url.full": "https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4",
        "server.address": "iam.cn-north-4.myhuaweicloud.com",
        "server.port": 443,
        "http.response.status_code": 503,
        "error.type": "503"
      })
      // The call sent nothing of its own: it failed because the lookup did.
      const call = attributesOf(byName["KpsClient.getTask"])
      expect(call).toMatchObject({ "kps.task_id": taskId, "error.type": "503" })
      expect(call).not.toHaveProperty("url.full")
      expectNoSecret(spans, [secret, "HPUASPANAK0000000001"])
    }))

  it.effect("a list's page query is part of url.full, exactly as sent", () =>
    Effect.gen(function*() {
      const { spans } = yield* traced(KpsClient.listRunningTasks({ limit: 10, offset: 20 }))
      const [sent] = yield* FakeHttp.sent
      expect(sent.url).toContain("?")
      expect(attributesOf(spans[0])["url.full"]).toBe(sent.url)
    }).pipe(Effect.provide(
      KpsClient.layer({
        endpoint: "https://kms.cn-north-4.myhuaweicloud.com",
        projectId,
        credentials: Credentials.token(Redacted.make(token))
      }).pipe(Layer.provideMerge(FakeHttp.layer(() => FakeHttp.json(200, { tasks: [], total_count: 0 }))))
    )))
})

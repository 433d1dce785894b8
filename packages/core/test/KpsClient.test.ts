import { Credentials, KpsClient } from "@effect-kps/core"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Duration, Effect, Fiber, FiberRef, Layer, Redacted, TestClock } from "effect"
import * as FakeHttp from "./fixtures/fakeHttp.js"

const projectId = "0123456789abcdef0123456789abcdef"
const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
const token = "MIIsecret-token-value-0123456789"
const docExample = { task_id: taskId, task_status: "RUNNING_RESET", server_id: "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006" }

const options: KpsClient.Options = {
  endpoint: "https://kms.cn-north-4.myhuaweicloud.com",
  projectId,
  credentials: Credentials.token(Redacted.make(token))
}

const clientOver = (answer: (url: URL) => FakeHttp.Answer, overrides: Partial<KpsClient.Options> = {}) =>
  KpsClient.layer({ ...options, ...overrides }).pipe(Layer.provideMerge(FakeHttp.layer(answer)))

const answering = (answer: FakeHttp.Answer | (() => FakeHttp.Answer), overrides?: Partial<KpsClient.Options>) =>
  clientOver(() => typeof answer === "function" ? answer() : answer, overrides)

const getTaskError = (answer: () => FakeHttp.Answer, id = taskId) =>
  KpsClient.getTask(id).pipe(Effect.flip, Effect.provide(answering(answer)))

describe("KpsClient.getTask", () => {
  it.effect("decodes the documented example", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(taskId)
      expect(task.taskId).toBe(taskId)
      expect(task.taskStatus).toBe("RUNNING_RESET")
      expect(task.serverId).toBe(docExample.server_id)
    }).pipe(Effect.provide(answering(() => FakeHttp.json(200, docExample)))))

  it.effect("sends one GET with the headers the service expects", () =>
    Effect.gen(function*() {
      yield* KpsClient.getTask(taskId)
      const [request, ...rest] = yield* FakeHttp.sent
      expect(rest).toHaveLength(0)
      expect(request.method).toBe("GET")
      expect(request.url).toBe(`https://kms.cn-north-4.myhuaweicloud.com/v3/${projectId}/tasks/${taskId}`)
      expect(request.headers["content-type"]).toBe("application/json")
      expect(request.headers["accept"]).toBe("application/json")
      expect(request.headers["user-agent"]).toBe("effect-kps/0.1.0 my-app/2.0")
      expect(request.headers["x-auth-token"]).toBe(token)
      expect(request.headers["x-project-id"]).toBe(projectId)
      expect(request.headers["traceparent"]).toBeUndefined()
      expect(request.headers["b3"]).toBeUndefined()
    }).pipe(Effect.provide(answering(() => FakeHttp.json(200, docExample), { userAgent: "my-app/2.0" }))))

  it.effect("percent-encodes both path parameters", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask("täsk:1(x)*'!@", { projectId: "proj ect".replace(" ", "ü") })
      const [request] = yield* FakeHttp.sent
      expect(new URL(request.url).pathname).toBe("/v3/proj%C3%BCect/tasks/t%C3%A4sk%3A1%28x%29%2A%27%21%40")
      expect(task.taskId).toBe("täsk:1(x)*'!@")
    }).pipe(Effect.provide(answering(() => FakeHttp.json(200, { task_status: "READY_RESET" })))))

  it.effect("lets a call override the project id", () =>
    Effect.gen(function*() {
      yield* KpsClient.getTask(taskId, { projectId: "fedcba9876543210fedcba9876543210" })
      const [request] = yield* FakeHttp.sent
      expect(request.url).toContain("/v3/fedcba9876543210fedcba9876543210/tasks/")
      expect(request.headers["x-project-id"]).toBe("fedcba9876543210fedcba9876543210")
    }).pipe(Effect.provide(answering(() => FakeHttp.json(200, docExample)))))

  it.effect("uses the region's endpoint, and an explicit endpoint over it", () =>
    Effect.gen(function*() {
      const byRegion = yield* KpsClient.make({ ...options, endpoint: undefined, region: "ap-southeast-3" })
      expect(byRegion.endpoint).toBe("https://kms.ap-southeast-3.myhuaweicloud.com")
      const both = yield* KpsClient.make({ ...options, endpoint: "http://127.0.0.1:9999/kps/", region: "nowhere" })
      expect(both.endpoint).toBe("http://127.0.0.1:9999/kps")
      yield* both.getTask(taskId)
      const [request] = yield* FakeHttp.sent
      expect(request.url).toBe(`http://127.0.0.1:9999/kps/v3/${projectId}/tasks/${taskId}`)
    }).pipe(Effect.provide(FakeHttp.layer(() => FakeHttp.json(200, docExample)))))

  it.effect("keeps unknown statuses, ignores extra fields, tolerates a missing status", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(taskId)
      expect(task.taskStatus).toBe("HIBERNATING_RESET")
      expect(task.phase).toBe("unknown")
      expect(task.serverId).toBeUndefined()
    }).pipe(Effect.provide(answering(() =>
      FakeHttp.json(200, { task_id: taskId, task_status: "HIBERNATING_RESET", extra: [1, 2], more: null })
    ))))

  it.effect("stands the requested id in for a missing task_id", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(taskId)
      expect(task.taskId).toBe(taskId)
      expect(task.taskStatus).toBeUndefined()
    }).pipe(Effect.provide(answering(() => FakeHttp.json(200, {})))))
})

describe("KpsClient errors on the wire", () => {
  const errorShapes = [
    ["flat", { error_code: "KPS.0001", error_msg: "taskId is illegal" }],
    ["nested", { error: { error_code: "KPS.0001", error_msg: "taskId is illegal" } }],
    ["code/message", { code: "KPS.0001", message: "taskId is illegal" }]
  ] as const

  for (const [shape, body] of errorShapes) {
    it.effect(`parses a ${shape} error body`, () =>
      Effect.gen(function*() {
        const error = yield* getTaskError(() => FakeHttp.json(400, body, { "x-request-id": "req-400" }))
        expect(error._tag).toBe("KpsApiError")
        if (error._tag !== "KpsApiError") return
        expect(error.status).toBe(400)
        expect(error.errorCode).toBe("KPS.0001")
        expect(error.errorMessage).toBe("taskId is illegal")
        expect(error.requestId).toBe("req-400")
        expect(error.message).toContain("req-400")
      }))
  }

  it.effect("takes the request id from the body when the header is missing", () =>
    Effect.gen(function*() {
      const error = yield* getTaskError(() =>
        FakeHttp.json(429, { error_code: "APIG.0308", error_msg: "over ratelimit", request_id: "body-req" }, {
          "retry-after": "3"
        })
      )
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 429, requestId: "body-req", retryAfter: "3" })
    }))

  it.effect("keeps an HTML 502 from a gateway as a bounded message, not a decode failure", () =>
    Effect.gen(function*() {
      const html = `<html><body><h1>502 Bad Gateway</h1>${"x".repeat(5000)}</body></html>`
      const error = yield* getTaskError(() =>
        new Response(html, { status: 502, headers: { "content-type": "text/html", "x-request-id": "gw-1" } })
      )
      expect(error._tag).toBe("KpsApiError")
      if (error._tag !== "KpsApiError") return
      expect(error.status).toBe(502)
      expect(error.errorCode).toBe("")
      expect(error.errorMessage.startsWith("<html><body><h1>502 Bad Gateway</h1>")).toBe(true)
      expect(error.errorMessage.length).toBe(1024)
      expect(error.requestId).toBe("gw-1")
    }))

  const undecodable = [
    ["an empty 200 body", "", "empty"],
    ["a non-JSON 200 body", "<html>ok</html>", "not JSON"],
    ["a 200 JSON array", "[1,2]", "not a task"],
    ["a 200 with a numeric status", JSON.stringify({ task_id: "t", task_status: 3 }), "not a task"]
  ] as const
  for (const [name, body, expected] of undecodable) {
    it.effect(`fails with KpsDecodeError on ${name}`, () =>
      Effect.gen(function*() {
        const error = yield* getTaskError(() =>
          new Response(body, { status: 200, headers: { "x-request-id": "r-200" } })
        )
        expect(error).toMatchObject({ _tag: "KpsDecodeError", status: 200, requestId: "r-200" })
        expect(error.message).toContain(expected)
      }))
  }

  it.effect("maps a refused connection to a transport error", () =>
    Effect.gen(function*() {
      const cause = new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
      })
      const error = yield* getTaskError(() => ({ fail: cause }))
      expect(error).toMatchObject({ _tag: "KpsTransportError", reason: "ConnectionRefused" })
      expect(error.message).toContain("ECONNREFUSED")
    }))

  it.effect("maps other transport failures by their codes", () =>
    Effect.gen(function*() {
      const withCode = (code: string) => ({ fail: Object.assign(new Error(code), { code }) })
      expect(yield* getTaskError(() => withCode("ECONNRESET"))).toMatchObject({ reason: "ConnectionReset" })
      expect(yield* getTaskError(() => withCode("ENOTFOUND"))).toMatchObject({ reason: "DnsLookup" })
      expect(yield* getTaskError(() => withCode("UND_ERR_HEADERS_TIMEOUT"))).toMatchObject({ reason: "Timeout" })
      expect(yield* getTaskError(() => ({ fail: new TypeError("Failed to fetch") }))).toMatchObject({
        reason: "Transport"
      })
    }))

  it.effect("times out after 30 seconds by default", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(KpsClient.getTask(taskId)))
      yield* TestClock.adjust("29999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "KpsTransportError", reason: "Timeout" })
    }).pipe(Effect.provide(answering("hang"))))

  it.effect("honours a per-client and a per-call timeout", () =>
    Effect.gen(function*() {
      const client = yield* KpsClient.KpsClient
      const perClient = yield* Effect.fork(Effect.flip(client.getTask(taskId)))
      const perCall = yield* Effect.fork(Effect.flip(client.getTask(taskId, { timeout: "1 second" })))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(perCall)).toMatchObject({ reason: "Timeout" })
      expect(perClient.unsafePoll()).toBeNull()
      yield* TestClock.adjust("4 seconds")
      expect(yield* Fiber.join(perClient)).toMatchObject({ reason: "Timeout" })
    }).pipe(Effect.provide(answering("hang", { timeout: "5 seconds" }))))
})

describe("KpsClient input checks", () => {
  const badIds: ReadonlyArray<readonly [string, string]> = [
    ["empty", ""],
    ["a slash", "a/b"],
    ["a question mark", "a?b"],
    ["a hash", "a#b"],
    ["a percent sign", "a%2Fb"],
    ["a backslash", "a\\b"],
    ["a space", "a b"],
    ["a tab", "a\tb"],
    ["a line break", "a\nb"],
    ["a NUL", "a\u0000b"],
    ["a zero-width space", "a\u200bb"],
    ["a lone surrogate", "a\ud800b"],
    ["a dot-dot", ".."],
    ["an embedded dot-dot", "a..b"],
    ["a single dot", "."],
    ["too long", "x".repeat(129)]
  ]

  for (const [name, bad] of badIds) {
    it.effect(`rejects a task id with ${name} before sending`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(KpsClient.getTask(bad))
        expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "taskId" })
        expect(yield* FakeHttp.sent).toHaveLength(0)
      }).pipe(Effect.provide(answering(() => FakeHttp.json(200, docExample)))))

    it.effect(`rejects a project id with ${name} before sending`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(KpsClient.getTask(taskId, { projectId: bad }))
        expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "projectId" })
        expect(yield* FakeHttp.sent).toHaveLength(0)
      }).pipe(Effect.provide(answering(() => FakeHttp.json(200, docExample)))))
  }

  it.effect("rejects a non-string task id from untyped callers", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(42 as unknown as string))
      expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "taskId" })
      expect(yield* FakeHttp.sent).toHaveLength(0)
    }).pipe(Effect.provide(answering(() => FakeHttp.json(200, docExample)))))

  it.effect("accepts an id of the maximum length", () =>
    Effect.gen(function*() {
      yield* KpsClient.getTask("x".repeat(128))
      expect(yield* FakeHttp.sent).toHaveLength(1)
    }).pipe(Effect.provide(answering(() => FakeHttp.json(200, {})))))

  it.effect("asks for a project id when neither the client nor the call has one", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(taskId))
      expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "projectId" })
      expect(yield* FakeHttp.sent).toHaveLength(0)
    }).pipe(Effect.provide(answering(() => FakeHttp.json(200, docExample), { projectId: undefined }))))

  const badOptions: ReadonlyArray<readonly [string, Partial<KpsClient.Options>, string]> = [
    ["an unknown region", { endpoint: undefined, region: "mars-1" }, "region"],
    ["no region nor endpoint", { endpoint: undefined }, "endpoint"],
    ["an endpoint without a scheme", { endpoint: "kms.cn-north-4.myhuaweicloud.com" }, "endpoint"],
    ["an ftp endpoint", { endpoint: "ftp://kms.example.com" }, "endpoint"],
    ["an endpoint with credentials", { endpoint: "https://user:pw@kms.example.com" }, "endpoint"],
    ["an endpoint with a query", { endpoint: "https://kms.example.com/?a=1" }, "endpoint"],
    ["an endpoint with a fragment", { endpoint: "https://kms.example.com/#x" }, "endpoint"],
    ["a blank endpoint", { endpoint: " " }, "endpoint"],
    ["a malformed default project id", { projectId: "a/b" }, "projectId"],
    ["an empty token", { credentials: Credentials.token("") }, "credentials.token"],
    ["a token with a line break", { credentials: Credentials.token("abc\r\nX-Evil: 1") }, "credentials.token"],
    [
      "something that is not credentials",
      { credentials: { token: "x" } as unknown as Credentials.Credentials },
      "credentials"
    ],
    ["a zero timeout", { timeout: 0 }, "timeout"],
    ["a malformed timeout", { timeout: "soon" as never }, "timeout"],
    ["a user agent with a line break", { userAgent: "a\nb" }, "userAgent"]
  ]

  for (const [name, overrides, field] of badOptions) {
    it.effect(`rejects ${name} when the client is made`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(KpsClient.make({ ...options, ...overrides }))
        expect(error).toMatchObject({ _tag: "KpsInvalidInput", field })
        expect(yield* FakeHttp.sent).toHaveLength(0)
      }).pipe(Effect.provide(FakeHttp.layer(() => FakeHttp.json(200, docExample)))))
  }

  it.effect("fails the layer, not a request, for bad options", () =>
    Effect.gen(function*() {
      const error = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(KpsClient.layer({ ...options, endpoint: undefined, region: "nowhere-1" })),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "region" })
      expect(error.message).toContain("cn-north-4")
      expect(yield* FakeHttp.sent).toHaveLength(0)
    }).pipe(Effect.provide(FakeHttp.layer(() => FakeHttp.json(200, docExample)))))
})

describe("KpsClient.layerConfig", () => {
  it.effect("reads its options through Config", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(taskId)
      expect(task.taskStatus).toBe("RUNNING_RESET")
      const [request] = yield* FakeHttp.sent
      expect(request.url).toBe(`https://kms.la-south-2.myhuaweicloud.com/v3/${projectId}/tasks/${taskId}`)
      expect(request.headers["x-auth-token"]).toBe(token)
    }).pipe(
      Effect.provide(
        KpsClient.layerConfig({
          region: Config.string("REGION"),
          projectId: Config.string("PROJECT"),
          credentials: Config.map(Config.redacted("TOKEN"), Credentials.token)
        }).pipe(Layer.provideMerge(FakeHttp.layer(() => FakeHttp.json(200, docExample))))
      ),
      Effect.withConfigProvider(
        ConfigProvider.fromMap(new Map([["REGION", "la-south-2"], ["PROJECT", projectId], ["TOKEN", token]]))
      )
    ))

  it.effect("fails with a ConfigError naming a missing variable", () =>
    Effect.gen(function*() {
      const error = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(
          KpsClient.layerConfig({
            region: Config.string("REGION"),
            credentials: Config.map(Config.redacted("TOKEN"), Credentials.token)
          }).pipe(Layer.provide(FakeHttp.layer(() => FakeHttp.json(200, docExample))))
        ),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["REGION", "cn-north-4"]]))),
        Effect.flip
      )
      expect(error._tag).not.toBe("KpsApiError")
      expect(String(error)).toContain("TOKEN")
    }))
})

describe("KpsClient with a transformClient", () => {
  it.effect("reads an error answer that filterStatusOk turned into a ResponseError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(taskId))
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 403, errorCode: "KPS.9003", requestId: "r-403" })
    }).pipe(Effect.provide(answering(
      () =>
        FakeHttp.json(403, { error_code: "KPS.9003", error_msg: "No operation permission" }, {
          "x-request-id": "r-403"
        }),
      { transformClient: HttpClient.filterStatusOk }
    ))))
})

describe("KpsClient body limit", () => {
  const big = "x".repeat(1024 * 1024 + 1)

  it.effect("refuses a declared oversized 2xx body without reading it", () =>
    Effect.gen(function*() {
      const error = yield* getTaskError(() =>
        new Response("{}", {
          status: 200,
          headers: { "content-length": String(5 * 1024 * 1024), "x-request-id": "big" }
        })
      )
      expect(error).toMatchObject({ _tag: "KpsDecodeError", status: 200, requestId: "big" })
      expect(error.message).toContain("5242880 bytes exceeds the 1048576-byte limit")
    }))

  it.effect("reports a declared oversized error body as an API error", () =>
    Effect.gen(function*() {
      const error = yield* getTaskError(() =>
        new Response("<html/>", { status: 502, headers: { "content-length": String(2 * 1024 * 1024) } })
      )
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 502, errorCode: "" })
      expect(error.message).toContain("exceeds the 1048576-byte limit")
    }))

  it.effect("stops reading an undeclared body once it passes the limit", () =>
    Effect.gen(function*() {
      let pulled = 0
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024))
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++
          controller.enqueue(chunk)
        }
      })
      const error = yield* getTaskError(() => new Response(endless, { status: 200 }))
      expect(error).toMatchObject({ _tag: "KpsDecodeError" })
      expect(error.message).toContain("exceeds the 1048576-byte limit")
      expect(pulled).toBeLessThan(40)
    }))

  it.effect("reads a body just under the limit", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(taskId)
      expect(task.taskStatus).toBe("RUNNING_RESET")
    }).pipe(Effect.provide(answering(() =>
      FakeHttp.json(200, { task_status: "RUNNING_RESET", padding: big.slice(0, 1024 * 1024 - 100) })
    ))))
})

describe("KpsClient with a transport that enforces timeouts", () => {
  // A transport that declares TransportTimeouts and records the timeout it is handed.
  const timeoutAware = (seen: Array<Duration.Duration | undefined>, answer: () => FakeHttp.Answer) =>
    KpsClient.layer({ ...options, timeout: "7 seconds" }).pipe(
      Layer.provideMerge(Layer.merge(
        FakeHttp.layer(() =>
          Effect.map(FiberRef.get(KpsClient.currentRequestTimeout), (timeout) => {
            seen.push(timeout)
            return answer()
          })
        ),
        Layer.succeed(KpsClient.TransportTimeouts, true)
      ))
    )

  it.effect("hands each call's timeout to the transport", () => {
    const seen: Array<Duration.Duration | undefined> = []
    return Effect.gen(function*() {
      yield* KpsClient.getTask(taskId)
      yield* KpsClient.getTask(taskId, { timeout: "2 seconds" })
      expect(seen.map((timeout) => timeout && Duration.toMillis(timeout))).toEqual([7000, 2000])
    }).pipe(Effect.provide(timeoutAware(seen, () => FakeHttp.json(200, docExample))))
  })

  it.effect("leaves the timing to the transport instead of racing it", () => {
    const seen: Array<Duration.Duration | undefined> = []
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(KpsClient.getTask(taskId))
      yield* TestClock.adjust("1 minute")
      // The fake transport never times out, and the client did not race it.
      expect(fiber.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.provide(timeoutAware(seen, () => "hang")))
  })

  it.effect("reports a transport's TimeoutError as a timeout", () =>
    Effect.gen(function*() {
      const error = yield* getTaskError(() => ({
        fail: new DOMException("no answer within 7 seconds", "TimeoutError")
      }))
      expect(error).toMatchObject({ _tag: "KpsTransportError", reason: "Timeout" })
      expect(error.message).toContain("no answer within 7 seconds")
    }))
})

describe("KpsClient on an answer with no body at all", () => {
  it.effect("reads a 204 as an empty body, not a transport failure", () =>
    Effect.gen(function*() {
      const error = yield* getTaskError(() => new Response(null, { status: 204, headers: { "x-request-id": "r-204" } }))
      expect(error).toMatchObject({ _tag: "KpsDecodeError", status: 204, requestId: "r-204" })
      expect(error.message).toContain("the body is empty")
    }))
})

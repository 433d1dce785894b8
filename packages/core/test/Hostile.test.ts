import { Credentials, KpsClient, type KpsError } from "@effect-kps/core"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Duration,
  Effect,
  Exit,
  Fiber,
  FiberRef,
  Inspectable,
  Layer,
  Logger,
  LogLevel,
  Redacted,
  Ref,
  TestClock
} from "effect"
import { inspect } from "node:util"
import * as FakeHttp from "./fixtures/fakeHttp.js"

// A token as long as a real IAM token (~6 KB): long enough to be cut by any preview.
const token = `MIIZ${"x7Qp".repeat(1500)}END`
const secretKey = "hostileSecretKey0123456789abcdefghijklmnop"
const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
const projectId = "0123456789abcdef0123456789abcdef"

const clientOver = (
  answer: () => FakeHttp.Answer,
  overrides: Partial<KpsClient.Options> = {},
  /** As a transport that enforces timeouts itself (the Node one) declares: no fiber races a call. */
  transportTimeouts = false
) =>
  KpsClient.layer({
    endpoint: "https://kms.cn-north-4.myhuaweicloud.com",
    projectId,
    credentials: Credentials.token(Redacted.make(token)),
    ...overrides
  }).pipe(
    Layer.provide(Layer.merge(FakeHttp.layer(answer), Layer.succeed(KpsClient.TransportTimeouts, transportTimeouts)))
  )

/** A logger that prints each message as loggers do, into `lines`. */
const printingLogger = (lines: Ref.Ref<ReadonlyArray<string>>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, message }) => {
      const line = `${Inspectable.format(message)} ${Inspectable.format(annotations)}`
      Effect.runSync(Ref.update(lines, (all) => [...all, line]))
    })
  )

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

/** Every way an error is printed: message, JSON, inspection, the pretty cause. */
const renderings = (error: KpsError.KpsError): ReadonlyArray<string> => [
  error.message,
  String(error),
  JSON.stringify(error),
  Inspectable.format(error),
  inspect(error, { depth: 10 }),
  Cause.pretty(Cause.fail(error)),
  error.stack ?? ""
]

/** Whether a text holds any run of 12 characters of `secret`. */
const holdsPieceOf = (text: string, secret: string) => {
  for (let start = 0; start + 12 <= secret.length; start++) {
    if (text.includes(secret.slice(start, start + 12))) return true
  }
  return false
}

describe("hostile answers end as values or typed errors", () => {
  const bodies: ReadonlyArray<readonly [string, string]> = [
    ["3,000 nested arrays", nested(3_000)],
    ["100,000 nested arrays", nested(100_000)],
    ["a task id of 3,000 nested arrays", `{"task_id":${nested(3_000)}}`],
    ["a status of 3,000 nested objects", `{"task_status":${"{\"a\":".repeat(3_000)}1${"}".repeat(3_000)}}`],
    ["a server id of 50,000 nested arrays", `{"task_id":"t","server_id":${nested(50_000)}}`]
  ]
  for (const [name, body] of bodies) {
    it.effect(`a 200 body of ${name} is a KpsDecodeError`, () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(KpsClient.getTask(taskId))
        expect(Exit.isFailure(exit) && Cause.isFailType(exit.cause)).toBe(true)
        const error = yield* Effect.flip(KpsClient.getTask(taskId))
        expect(error).toMatchObject({ _tag: "KpsDecodeError", status: 200 })
        expect(error.message.length).toBeLessThan(2_000)
      }).pipe(Effect.provide(clientOver(() => new Response(body, { status: 200 })))))
  }

  it.effect("an error answer of deeply nested JSON is a KpsApiError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(taskId))
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 500, errorCode: "" })
    }).pipe(Effect.provide(clientOver(() => new Response(`{"error":${nested(5_000)}}`, { status: 500 })))))

  it.effect("the decode error says where and what, never the value", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(taskId))
      expect(error.message).toContain(`["task_status"]`)
      expect(error.message).toContain("got an array")
      expect(error.message).not.toContain("leaky")
    }).pipe(Effect.provide(clientOver(() => FakeHttp.json(200, { task_status: ["leaky", ["value"]] })))))
})

describe("secrets echoed by a server never leak", () => {
  const echoes: ReadonlyArray<readonly [string, () => FakeHttp.Answer]> = [
    ["into error_code", () => FakeHttp.json(401, { error_code: token, error_msg: "no" })],
    ["into the body's request_id", () => FakeHttp.json(401, { error_code: "APIG.0301", request_id: token })],
    ["into X-Request-Id", () => FakeHttp.json(401, { error_code: "APIG.0301" }, { "x-request-id": token })],
    ["into Retry-After", () => FakeHttp.json(429, { error_code: "APIG.0308" }, { "retry-after": token })],
    [
      "into an HTML 502, cut at its preview",
      () =>
        new Response(`<html><body>${"padding ".repeat(2)}${token}</body></html>`, {
          status: 502,
          headers: { "content-type": "text/html" }
        })
    ],
    [
      "in pieces, as a proxy that cuts headers would",
      () =>
        FakeHttp.json(403, { error_msg: `token ${token.slice(0, 1008)} and ${token.slice(3000, 3020)}` }, {
          "x-request-id": token.slice(100, 300)
        })
    ],
    ["into a 200 body that is not JSON", () => new Response(`${"y".repeat(100)}${token}`, { status: 200 })],
    ["into a 200 body that is not a task", () => FakeHttp.json(200, { task_status: 1, secret: token })]
  ]

  for (const [name, answer] of echoes) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(KpsClient.getTask(taskId))
        for (const text of renderings(error)) {
          expect(text).not.toContain(token)
          expect(holdsPieceOf(text, token)).toBe(false)
        }
      }).pipe(Effect.provide(clientOver(answer))))
  }

  it.effect("into the fields of a task", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(taskId)
      expect(task.taskStatus).toBe("RUNNING_<redacted>")
      for (const text of [JSON.stringify(task), inspect(task), Inspectable.format(task)]) {
        expect(holdsPieceOf(text, token)).toBe(false)
      }
    }).pipe(Effect.provide(
      clientOver(() => FakeHttp.json(200, { task_id: taskId, task_status: `RUNNING_${token}`, server_id: token }))
    )))

  it.effect("the secret key, echoed into an error, is removed too", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(taskId))
      for (const text of renderings(error)) expect(holdsPieceOf(text, secretKey)).toBe(false)
    }).pipe(Effect.provide(clientOver(
      () => FakeHttp.json(403, { error_code: secretKey.slice(0, 20), error_msg: `sk=${secretKey}` }),
      { credentials: Credentials.accessKey({ accessKeyId: "HPUAEXAMPLEAK0000001", secretAccessKey: secretKey }) }
    ))))

  it.effect("spans and logs carry only scrubbed request ids", () =>
    Effect.gen(function*() {
      const lines = yield* Ref.make<ReadonlyArray<string>>([])
      yield* Effect.flip(KpsClient.getTask(taskId)).pipe(
        Effect.provide(printingLogger(lines)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      const logged = yield* Ref.get(lines)
      expect(logged.some((line) => line.includes("KPS answered"))).toBe(true)
      for (const line of logged) expect(holdsPieceOf(line, token)).toBe(false)
    }).pipe(Effect.provide(clientOver(() => FakeHttp.json(500, {}, { "x-request-id": `req-${token}` })))))
})

describe("a transformClient that prints what it sees", () => {
  it.effect("can log the answer, and the call still reads it", () =>
    Effect.gen(function*() {
      const lines = yield* Ref.make<ReadonlyArray<string>>([])
      const task = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(clientOver(() => FakeHttp.json(200, { task_id: taskId, task_status: "RUNNING_RESET" }), {
          transformClient: HttpClient.tap((response) => Effect.logDebug(response))
        })),
        Effect.provide(printingLogger(lines)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      expect(task.taskStatus).toBe("RUNNING_RESET")
      const logged = yield* Ref.get(lines)
      expect(logged.some((line) => line.includes("HttpClientResponse") && line.includes("200"))).toBe(true)
    }))

  it.effect("can read the body itself, and the call still reads it", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const task = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(clientOver(() => FakeHttp.json(200, { task_id: taskId, task_status: "SUCCESS_RESET" }), {
          transformClient: HttpClient.tap((response) => Effect.map(response.text, (text) => seen.push(text)))
        }))
      )
      expect(task.taskStatus).toBe("SUCCESS_RESET")
      expect(seen).toHaveLength(1)
      expect(JSON.parse(seen[0])).toMatchObject({ task_status: "SUCCESS_RESET" })
    }))

  it.effect("never sees a secret in a request, an answer or an error it prints", () =>
    Effect.gen(function*() {
      const printed: Array<string> = []
      const print = (u: unknown) => printed.push(JSON.stringify(u), inspect(u, { depth: 10 }), String(u))
      const layerFor = (credentials: Credentials.Credentials, answer: () => FakeHttp.Answer) =>
        clientOver(answer, {
          credentials,
          transformClient: (client) =>
            client.pipe(
              HttpClient.mapRequest((request) => {
                print(request)
                return request
              }),
              HttpClient.tap((response) => Effect.sync(() => print(response))),
              HttpClient.tapError((error) => Effect.sync(() => print(error)))
            )
        })
      const credentials = [
        Credentials.token(token),
        Credentials.accessKey({ accessKeyId: "HPUAEXAMPLEAK0000001", secretAccessKey: secretKey, securityToken: token })
      ]
      for (const each of credentials) {
        yield* KpsClient.getTask(taskId).pipe(
          Effect.provide(layerFor(each, () => FakeHttp.json(200, { task_status: "RUNNING_RESET" }))),
          Effect.either
        )
        yield* KpsClient.getTask(taskId).pipe(
          Effect.provide(layerFor(each, () => ({ fail: new TypeError("fetch failed") }))),
          Effect.either
        )
      }
      expect(printed.length).toBeGreaterThan(12)
      expect(printed.some((text) => text.includes(taskId))).toBe(true)
      for (const text of printed) {
        expect(text).not.toContain(token)
        expect(text).not.toContain(secretKey)
        expect(text.toLowerCase()).not.toContain("sdk-hmac-sha256 access=")
      }
    }))
})

describe("a transformClient that never ends", () => {
  it.effect("is stopped by the call's timeout, even over a transport that enforces timeouts itself", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(KpsClient.getTask(taskId)))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "KpsTransportError", reason: "Timeout" })
    }).pipe(Effect.provide(clientOver(() => FakeHttp.json(200, { task_status: "RUNNING_RESET" }), {
      timeout: "5 seconds",
      transformClient: HttpClient.transformResponse(() => Effect.never)
    }, true))))
})

describe("fiber-local settings are put back however a call ends", () => {
  const settings = Effect.all([
    FiberRef.get(HttpClient.currentTracerDisabledWhen),
    FiberRef.get(KpsClient.currentRequestTimeout)
  ])
  const own = HttpClientRequest.get("https://example.com/")
  const endings: ReadonlyArray<readonly [string, KpsClient.Options["transformClient"]]> = [
    ["a defect", HttpClient.tap(() => Effect.die("boom"))],
    ["an interruption cause", HttpClient.tap(() => Effect.interrupt)],
    [
      "a defect while sending",
      HttpClient.mapRequest(() => {
        throw new Error("mapping failed")
      })
    ]
  ]
  for (const [name, transformClient] of endings) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const mine = () => false
        yield* FiberRef.set(HttpClient.currentTracerDisabledWhen, mine)
        yield* FiberRef.set(KpsClient.currentRequestTimeout, Duration.seconds(7))
        const exit = yield* Effect.exit(KpsClient.getTask(taskId))
        expect(Exit.isFailure(exit)).toBe(true)
        const [tracerDisabledWhen, timeout] = yield* settings
        expect(tracerDisabledWhen).toBe(mine)
        expect(tracerDisabledWhen(own)).toBe(false)
        expect(timeout).toEqual(Duration.seconds(7))
      }).pipe(Effect.provide(clientOver(() => FakeHttp.json(200, { task_status: "RUNNING_RESET" }), {
        transformClient
      }, true))))
  }

  it.effect("an answer puts back the previous timeout, not none", () =>
    Effect.gen(function*() {
      yield* FiberRef.set(KpsClient.currentRequestTimeout, Duration.seconds(9))
      yield* KpsClient.getTask(taskId)
      expect(yield* FiberRef.get(KpsClient.currentRequestTimeout)).toEqual(Duration.seconds(9))
    }).pipe(Effect.provide(clientOver(() => FakeHttp.json(200, { task_status: "RUNNING_RESET" }), {}, true))))
})

import { Credentials, KpsClient, type KpsError } from "@effect-kps/core"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Inspectable, Layer, Logger, LogLevel, Redacted, Ref } from "effect"
import * as FakeHttp from "./fixtures/fakeHttp.js"
import * as Tracing from "./fixtures/tracing.js"

const token = "MIIsecret-token-value-0123456789"
const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"

const clientOver = (answer: () => FakeHttp.Answer, overrides: Partial<KpsClient.Options> = {}) =>
  KpsClient.layer({
    endpoint: "https://kms.cn-north-4.myhuaweicloud.com",
    projectId: "0123456789abcdef0123456789abcdef",
    credentials: Credentials.token(Redacted.make(token)),
    ...overrides
  }).pipe(Layer.provide(FakeHttp.layer(answer)))

const renderings = (error: KpsError.KpsError): ReadonlyArray<string> => [
  error.message,
  String(error),
  error.toString(),
  JSON.stringify(error),
  JSON.stringify(error.toJSON()),
  Inspectable.format(error),
  error.stack ?? ""
]

/** Collects every log line, rendered with its annotations, at every level. */
const capturingLogs = Effect.map(Ref.make<ReadonlyArray<string>>([]), (lines) => ({
  lines,
  layer: Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, logLevel, message }) => {
      const rendered = `${logLevel.label} ${Inspectable.format(message)} ${Inspectable.format(annotations)}`
      Effect.runSync(Ref.update(lines, (all) => [...all, rendered]))
    })
  )
}))

describe("secrets never leak", () => {
  const failures: ReadonlyArray<readonly [string, () => FakeHttp.Answer]> = [
    [
      "an API error that echoes the token",
      () =>
        FakeHttp.json(401, { error_code: "APIG.0301", error_msg: `Incorrect IAM authentication information: ${token}` })
    ],
    ["a decode error over a body that echoes the token", () => new Response(`token=${token}`, { status: 200 })],
    ["a transport error whose cause quotes the token", () => ({
      fail: new TypeError("fetch failed", { cause: new Error(`invalid header value ${token}`) })
    })]
  ]

  for (const [name, answer] of failures) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(KpsClient.getTask(taskId))
        for (const text of renderings(error)) expect(text).not.toContain(token)
        expect(error.message).toContain("<redacted>")
      }).pipe(Effect.provide(clientOver(answer))))
  }

  it.effect("an invalid token is reported without quoting it", () =>
    Effect.gen(function*() {
      const error = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(clientOver(() => FakeHttp.json(200, {}), { credentials: Credentials.token("bad token\n") })),
        Effect.flip
      )
      expect(error._tag).toBe("KpsInvalidInput")
      for (const text of renderings(error)) expect(text).not.toContain("bad token")
    }))

  it("credentials print as redacted", () => {
    const credentials = Credentials.token(token)
    for (const text of [String(credentials), JSON.stringify(credentials), Inspectable.format(credentials)]) {
      expect(text).not.toContain(token)
    }
    expect(Redacted.value(credentials.token)).toBe(token)
  })

  it.effect("no log line shows the token, even when a transformClient logs the request it sent", () =>
    Effect.gen(function*() {
      const { layer, lines } = yield* capturingLogs
      yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(clientOver(() => FakeHttp.json(200, { task_status: "RUNNING_RESET" }), {
          // What was sent, credentials included, is the response's request.
          transformClient: HttpClient.tap((response) => Effect.logInfo("sent", response.request))
        })),
        Effect.provide(layer),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      const logged = yield* Ref.get(lines)
      expect(logged.some((line) => line.includes("sent"))).toBe(true)
      expect(logged.some((line) => line.includes("KPS answered"))).toBe(true)
      // Credentials go on below the transformClient: what it sees was never authenticated.
      expect(logged.some((line) => line.includes("x-project-id"))).toBe(true)
      expect(logged.some((line) => line.includes("x-auth-token"))).toBe(false)
      for (const line of logged) expect(line).not.toContain(token)
    }))
})

describe("tracing", () => {
  it.effect("records one span per call with task, project, status and request id", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* Tracing.recordingTracer
      yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(
          clientOver(() => FakeHttp.json(200, { task_status: "SUCCESS_RESET" }, { "x-request-id": "req-span" }))
        ),
        Effect.withTracer(tracer)
      )
      expect(spans.map((span) => span.name)).toEqual(["KpsClient.getTask"])
      const attributes = Object.fromEntries(spans[0].attributes)
      expect(attributes).toMatchObject({
        "kps.task_id": taskId,
        "kps.project_id": "0123456789abcdef0123456789abcdef",
        "http.response.status_code": 200,
        "kps.request_id": "req-span"
      })
      expect(JSON.stringify(attributes)).not.toContain(token)
    }))
})

import { Credentials, KpsClient } from "@effect-kps/core"
import { KpsEmulator } from "@effect-kps/emulator"
import { KpsNode } from "@effect-kps/node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Redacted, TestClock } from "effect"
import { associate, awaitSleeper, emulator, get, projectId, send, turn } from "./fixtures/helpers.js"

/** The statuses of `n` task queries sent one after another. */
const statuses = (url: string, taskId: string, n: number) =>
  Effect.forEach(
    Array.from({ length: n }),
    () => Effect.map(get(`${url}/v3/${projectId}/tasks/${taskId}`), (answer) => answer.status)
  )

const client = (endpoint: string) =>
  KpsNode.layer({ endpoint, projectId, credentials: Credentials.token(Redacted.make(KpsEmulator.defaultToken)) })

describe("faults", () => {
  it.scoped("the same seed gives the same sequence of faults; another seed another one", () =>
    Effect.gen(function*() {
      const faults = { throttle: 0.3, serverError: 0.3, serverErrorStatus: 503 } as const
      const run = (seed: number) =>
        Effect.gen(function*() {
          const { store, url } = yield* emulator({ seed, faults })
          const task = yield* store.create({ projectId, operation: "associate", serverId: "s-1" })
          return yield* statuses(url, task.taskId, 40)
        })
      const first = yield* run(7)
      const second = yield* run(7)
      const other = yield* run(8)
      expect(second).toEqual(first)
      expect(other).not.toEqual(first)
      expect(new Set(first)).toEqual(new Set([200, 429, 503]))
    }))

  it.scoped("throttling answers 429 APIG.0308; server errors the configured status", () =>
    Effect.gen(function*() {
      const throttled = yield* emulator({ faults: { throttle: 1 } })
      const answer = yield* get(`${throttled.url}/v3/${projectId}/running-tasks`)
      expect([answer.status, answer.json.error_code]).toEqual([429, "APIG.0308"])
      expect(answer.headers.get("x-request-id")).toBe(answer.json.request_id)

      const failing = yield* emulator({ faults: { serverError: 1, serverErrorStatus: 502 } })
      const error = yield* get(`${failing.url}/v3/${projectId}/running-tasks`)
      expect([error.status, error.json.error_code]).toEqual([502, "APIG.0201"])
      const fine = yield* emulator({ faults: { serverError: 1 } })
      expect((yield* get(`${fine.url}/v3/${projectId}/running-tasks`)).status).toBe(500)
      // Unauthenticated requests are refused before any fault.
      expect((yield* send(`${throttled.url}/v3/${projectId}/running-tasks`)).status).toBe(401)
    }))

  it.scoped("a rate limit lets `requests` through per window on the clock", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ faults: { rateLimit: { requests: 2, per: "1 second" } } })
      const burst = Effect.forEach(
        Array.from({ length: 3 }),
        () => Effect.map(get(`${url}/v3/${projectId}/running-tasks`), (answer) => answer.status)
      )
      expect(yield* burst).toEqual([200, 200, 429])
      yield* TestClock.adjust("999 millis")
      expect(yield* burst).toEqual([429, 429, 429])
      yield* TestClock.adjust("1 millis")
      expect(yield* burst).toEqual([200, 200, 429])
    }))

  it.scoped("faults set for one task apply to that task only", () =>
    Effect.gen(function*() {
      const { store, url } = yield* emulator()
      const flaky = (yield* associate(url, "s-1")).json.task_id
      const steady = (yield* associate(url, "s-2")).json.task_id
      yield* store.setFaults(flaky, { serverError: 1, serverErrorStatus: 503 })
      expect(yield* statuses(url, flaky, 3)).toEqual([503, 503, 503])
      expect(yield* statuses(url, steady, 3)).toEqual([200, 200, 200])
      yield* store.setFaults(flaky, undefined)
      expect(yield* statuses(url, flaky, 1)).toEqual([200])
    }))

  it.scoped("faults given by task id in the options apply to that id", () =>
    Effect.gen(function*() {
      const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
      const { url } = yield* emulator({ taskFaults: { [taskId]: { throttle: 1 } } })
      expect(yield* statuses(url, taskId, 2)).toEqual([429, 429])
      expect(yield* statuses(url, "another-task", 1)).toEqual([404])
    }))

  it.scoped("added latency holds the answer until the clock moves", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ faults: { latency: "5 seconds" } })
      const fiber = yield* Effect.fork(get(`${url}/v3/${projectId}/running-tasks`))
      yield* awaitSleeper
      yield* TestClock.adjust("4 seconds")
      // Several turns of the event loop: still no answer before the latency has passed.
      for (let i = 0; i < 5; i++) yield* turn
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      const answer = yield* Fiber.join(fiber)
      expect(answer.status).toBe(200)
    }))

  it.scoped("a dropped connection reaches the client as a transport error", () =>
    Effect.gen(function*() {
      const { store, url } = yield* emulator()
      const task = yield* store.create({ projectId, operation: "associate", serverId: "s-1" })
      yield* store.setFaults(task.taskId, { drop: 1 })
      const error = yield* Effect.flip(KpsClient.getTask(task.taskId).pipe(Effect.provide(client(url))))
      expect(error._tag).toBe("KpsTransportError")
      // The server lives on.
      expect((yield* get(`${url}/v3/${projectId}/running-tasks`)).status).toBe(200)
    }))

  it.scoped("a malformed body reaches the client as a decode error", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ faults: { malformed: 1 } })
      const created = yield* associate(url, "s-1")
      expect(created.status).toBe(202)
      expect(created.json).toBeUndefined()
      const error = yield* Effect.flip(KpsClient.getTask("any-task").pipe(Effect.provide(client(url))))
      // An unknown task is an error answer, which faults do not malform.
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 404 })
    }))

  it.scoped("a malformed task answer fails KpsClient.getTask with KpsDecodeError", () =>
    Effect.gen(function*() {
      const { store, url } = yield* emulator()
      const task = yield* store.create({ projectId, operation: "associate", serverId: "s-1" })
      yield* store.setFaults(task.taskId, { malformed: 1 })
      const error = yield* Effect.flip(KpsClient.getTask(task.taskId).pipe(Effect.provide(client(url))))
      expect(error._tag).toBe("KpsDecodeError")
    }))
})

import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Clock, Duration, Effect, Either, Exit, FastCheck, Fiber, Stream, Tracer } from "effect"
import { inspect } from "node:util"
import * as SlidingWindow from "../src/internal/slidingWindow.js"

/** The most requests that arrived within any `window` (half-open: `(t - window, t]`). */
const mostInWindow = (times: ReadonlyArray<number>, window: number): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[first] <= sorted[last] - window) first++
    most = Math.max(most, last - first + 1)
  }
  return most
}

describe("the shared rate limit", () => {
  /** Runs `requests` (each taking `takes[i]`) under a limit, answering when each was granted. */
  const grants = (limit: number, takes: ReadonlyArray<number>) =>
    Effect.gen(function*() {
      const withLimit = yield* SlidingWindow.make(limit, Duration.seconds(1))
      const granted: Array<number> = []
      const fiber = yield* Effect.fork(Effect.forEach(
        takes,
        (take) =>
          withLimit(
            Effect.zipRight(
              Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => granted.push(at))),
              Effect.sleep(Duration.millis(take))
            )
          ),
        { concurrency: "unbounded", discard: true }
      ))
      yield* KpsTesting.runToEnd(fiber)
      return granted
    }).pipe(Effect.scoped)

  it.effect("grants at most `limit` in any window, bursts included", () =>
    Effect.gen(function*() {
      expect(yield* grants(3, Array.from({ length: 8 }, () => 0))).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000])
    }))

  it.effect("gives a slot back one window after its request ends, not after it was granted", () =>
    Effect.gen(function*() {
      // Requests taking 500 ms: each slot is free again 1.5 s after its grant.
      expect(yield* grants(2, [500, 500, 500, 500, 500])).toEqual([0, 0, 1500, 1500, 3000])
      // A failed request gives its slot back the same way.
      const failing = yield* Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const withLimit = yield* SlidingWindow.make(1, Duration.seconds(1))
        const first = yield* Effect.either(withLimit(Effect.zipRight(Effect.sleep("200 millis"), Effect.fail("no"))))
        const second = yield* withLimit(Clock.currentTimeMillis)
        return [first, second - start] as const
      }).pipe(Effect.scoped, Effect.fork, Effect.flatMap(KpsTesting.runToEnd))
      expect(failing).toEqual(Exit.succeed([Either.left("no"), 1200]))
    }))
})

describe("TaskWaiter.waitForTasks: requests arrive within the limit, whatever the network does", () => {
  /**
   * Waits on `tasks` tasks (each running `runFor`, then done) through a network that holds each
   * request back by `delayOf(n)` (the n-th request, from 0) before it reaches the stub: connection
   * set-up, a slow link. Answers the arrival times at the stub and the outcomes.
   */
  const arrivals = (options: {
    readonly tasks: number
    readonly runFor: Duration.DurationInput
    readonly latency?: Duration.DurationInput | undefined
    readonly flaky?: ((i: number) => boolean) | undefined
    readonly delayOf: (n: number) => number
    readonly many: TaskWaiter.ManyOptions
  }) => {
    const ids = Array.from({ length: options.tasks }, (_, i) => `task-${i}`)
    let sent = 0
    const network = (client: HttpClient.HttpClient) =>
      HttpClient.mapRequestEffect(
        client,
        (request) => Effect.as(Effect.sleep(Duration.millis(options.delayOf(sent++))), request)
      )
    return Effect.gen(function*() {
      const stream = TaskWaiter.waitForTasks(ids, options.many)
      const exit = yield* KpsTesting.runToEnd(yield* Effect.fork(Stream.runCollect(stream)), { maxSteps: 100_000 })
      const times = (yield* KpsTesting.requests).map((request) => request.at)
      return { exit, times }
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: Object.fromEntries(ids.map((id, i) => [id, [
        ...(options.flaky?.(i) ? [KpsTesting.transportError("ConnectionReset", { times: 1 })] : []),
        KpsTesting.status("RUNNING_RESET", { for: options.runFor, latency: options.latency }),
        KpsTesting.status("SUCCESS_RESET", { latency: options.latency })
      ]]))
    }, { transformClient: network })))
  }

  const succeeded = (exit: Exit.Exit<Chunk.Chunk<TaskWaiter.TaskOutcome>>) =>
    Exit.isSuccess(exit)
      ? Chunk.toReadonlyArray(exit.value).filter((outcome) => Either.isRight(outcome.result)).length
      : -1

  it.effect(
    "the default 20 a second: first requests held back by connection set-up land apart from the next",
    () =>
      Effect.gen(function*() {
        // 40 waits at once; the first 20 requests spend 900 ms setting up their connections.
        const { exit, times } = yield* arrivals({
          tasks: 40,
          runFor: "5 seconds",
          delayOf: (n) => n < 20 ? 900 : 0,
          many: { policy: WaitPolicy.fixed("200 millis"), concurrency: 40 }
        })
        expect(succeeded(exit)).toBe(40)
        expect(mostInWindow(times, 1_000)).toBe(20)
      }),
    { timeout: 60_000 }
  )

  it.effect("a raised limit, 300 a second, holds the same way", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* arrivals({
        tasks: 320,
        runFor: "1 second",
        delayOf: (n) => n < 300 ? 900 : n % 7 === 0 ? 400 : 0,
        many: {
          policy: WaitPolicy.fixed("100 millis"),
          concurrency: 320,
          rateLimit: { limit: 300, window: "1 second" }
        }
      })
      expect(succeeded(exit)).toBe(320)
      expect(mostInWindow(times, 1_000)).toBe(300)
    }), { timeout: 60_000 })

  it.effect.prop(
    "any delays, answer latencies, retries, limits and windows: never more than the limit in a window",
    {
      limit: FastCheck.integer({ min: 1, max: 25 }),
      window: FastCheck.integer({ min: 50, max: 2_000 }),
      tasks: FastCheck.integer({ min: 1, max: 20 }),
      concurrency: FastCheck.integer({ min: 1, max: 20 }),
      delays: FastCheck.array(FastCheck.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 12 }),
      latency: FastCheck.integer({ min: 0, max: 1_500 }),
      flakyEvery: FastCheck.integer({ min: 1, max: 5 })
    },
    ({ concurrency, delays, flakyEvery, latency, limit, tasks, window }) =>
      Effect.gen(function*() {
        const { exit, times } = yield* arrivals({
          tasks,
          runFor: "2 seconds",
          latency,
          flaky: (i) => i % flakyEvery === 0,
          delayOf: (n) => delays[n % delays.length],
          many: { policy: WaitPolicy.fixed("500 millis"), concurrency, rateLimit: { limit, window } }
        })
        expect(succeeded(exit)).toBe(tasks)
        expect(mostInWindow(times, window)).toBeLessThanOrEqual(limit)
      }),
    { timeout: 120_000, fastCheck: { numRuns: 20 } }
  )
})

describe("TaskWaiter.waitForTasks: options that cannot work", () => {
  /** Waits on "a" and "b" with each of `invalid`: each time, both end refused for `field`. */
  const refusedForEach = (field: string, invalid: ReadonlyArray<TaskWaiter.ManyOptions>) =>
    Effect.gen(function*() {
      for (const options of invalid) {
        const fiber = yield* Effect.fork(Stream.runCollect(TaskWaiter.waitForTasks(["a", "b"], options)))
        const exit = yield* KpsTesting.runToEnd(fiber)
        expect(Exit.isSuccess(exit) && Chunk.toReadonlyArray(exit.value)).toMatchObject([
          { taskId: "a", result: { _tag: "Left", left: { _tag: "KpsInvalidInput", field } } },
          { taskId: "b", result: { _tag: "Left", left: { _tag: "KpsInvalidInput", field } } }
        ])
      }
      expect(yield* KpsTesting.requests).toEqual([])
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { a: [KpsTesting.status("SUCCESS_RESET")] } })))

  it.effect("a limit below 1 or a window without end fails every task with KpsInvalidInput, before any request", () =>
    refusedForEach("rateLimit", [
      { rateLimit: { limit: 0, window: "1 second" } },
      { rateLimit: { limit: 1.5, window: "1 second" } },
      { rateLimit: { limit: 5, window: Duration.infinity } }
    ]))

  it.effect("a concurrency below 1 or not whole fails every task with KpsInvalidInput, before any request", () =>
    refusedForEach("concurrency", [0, -1, 2.5, Number.NaN].map((concurrency) => ({ concurrency }))))

  it.effect(
    "Infinity waits on every task at once: 200 tasks, each polled from the first second",
    () =>
      Effect.gen(function*() {
        const ids = Array.from({ length: 200 }, (_, i) => `all-${i}`)
        const fiber = yield* Effect.fork(Stream.runCollect(TaskWaiter.waitForTasks(ids, {
          policy: WaitPolicy.fixed("1 second"),
          concurrency: Infinity,
          rateLimit: { limit: 1_000, window: "1 second" }
        })))
        const exit = yield* KpsTesting.runToEnd(fiber)
        expect(Exit.isSuccess(exit) && Chunk.size(exit.value)).toBe(200)
        const requests = yield* KpsTesting.requests
        const firstAt = new Map<string, number>()
        for (const request of requests) {
          const id = request.url.split("/tasks/")[1]
          if (!firstAt.has(id)) firstAt.set(id, request.at)
        }
        expect(firstAt.size).toBe(200)
        expect(Math.max(...firstAt.values())).toBeLessThanOrEqual(1_000)
      }).pipe(Effect.provide(KpsTesting.layerClient({
        tasks: Object.fromEntries(
          Array.from({ length: 200 }, (_, i) => [`all-${i}`, [
            KpsTesting.status("RUNNING_RESET", { for: "3 seconds" }),
            KpsTesting.status("SUCCESS_RESET")
          ]])
        )
      }))),
    { timeout: 60_000 }
  )
})

describe("TaskWaiter.waitForTasks: a wait that dies", () => {
  const secret = "S3CR3T-in-the-defect-text"
  let asked = 0
  // A transformClient with a bug: it throws on the third request for task "boom".
  const buggy = (client: HttpClient.HttpClient) =>
    HttpClient.mapRequest(client, (request) => {
      if (request.url.endsWith("/tasks/boom") && ++asked === 3) throw new RangeError(`Invalid string length ${secret}`)
      return request
    })

  it.effect("ends as that task's WaitDefect, naming the defect but not its text; the others end as they do", () =>
    Effect.gen(function*() {
      const stream = TaskWaiter.waitForTasks(["slow", "boom", "state", "failed", "denied"], {
        policy: WaitPolicy.fixed("1 second"),
        concurrency: 2,
        // Another bug, in a callback: it dies with a string, for task "state" only.
        onState: (state) => state.taskId === "state" && state.attempts === 2 ? Effect.die(secret) : Effect.void
      })
      const exit = yield* KpsTesting.runToEnd(yield* Effect.fork(Stream.runCollect(stream)))
      expect(Exit.isSuccess(exit)).toBe(true)
      if (!Exit.isSuccess(exit)) return
      const outcomes = new Map(Chunk.toReadonlyArray(exit.value).map((outcome) => [outcome.taskId, outcome.result]))
      expect(outcomes.size).toBe(5)
      expect(outcomes.get("slow")).toMatchObject({ _tag: "Right", right: { taskStatus: "SUCCESS_RESET" } })
      expect(outcomes.get("failed")).toMatchObject({ _tag: "Left", left: { _tag: "TaskFailed" } })
      expect(outcomes.get("denied")).toMatchObject({ _tag: "Left", left: { _tag: "KpsApiError", status: 403 } })

      const boom = Either.getLeft(outcomes.get("boom")!).pipe((left) => left._tag === "Some" ? left.value : undefined)
      expect(boom).toBeInstanceOf(TaskWaiter.WaitDefect)
      expect(boom).toMatchObject({ _tag: "WaitDefect", taskId: "boom", defect: "RangeError" })
      expect(outcomes.get("state")).toMatchObject({
        _tag: "Left",
        left: { _tag: "WaitDefect", taskId: "state", defect: "string" }
      })
      for (const outcome of outcomes.values()) {
        if (Either.isRight(outcome)) continue
        const error = outcome.left
        for (
          const printed of [
            error.message,
            String(error),
            JSON.stringify(error),
            inspect(error),
            Cause.pretty(Cause.fail(error))
          ]
        ) {
          expect(printed).not.toContain(secret)
        }
      }
      // The defect itself is there for debugging, out of sight.
      expect(boom instanceof TaskWaiter.WaitDefect && Cause.isDie(boom.died!)).toBe(true)
      expect(Object.keys(boom!)).not.toContain("died")
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        slow: [KpsTesting.status("RUNNING_RESET", { for: "20 seconds" }), KpsTesting.status("SUCCESS_RESET")],
        boom: [KpsTesting.status("RUNNING_RESET")],
        state: [KpsTesting.status("RUNNING_RESET")],
        failed: [KpsTesting.status("RUNNING_RESET", { for: "2 seconds" }), KpsTesting.status("FAILED_RESET")],
        denied: [KpsTesting.apiError(403, { code: "KPS.9003", message: "No operation permission" })]
      }
    }, { transformClient: buggy }))))
})

describe("TaskWaiter.waitForTasks", () => {
  const ids = Array.from({ length: 40 }, (_, i) => `task-${i}`)
  const timeline = (i: number): ReadonlyArray<KpsTesting.Step> =>
    i === 3
      ? [KpsTesting.status("RUNNING_UNBIND", { for: "4 seconds" }), KpsTesting.status("FAILED_UNBIND")]
      : i === 5
      ? [KpsTesting.apiError(403, { code: "KPS.9003", message: "No operation permission" })]
      : [KpsTesting.status("RUNNING_RESET", { for: `${3 + (i * 7) % 20} seconds` }), KpsTesting.status("SUCCESS_RESET")]

  it.effect(
    "keeps the rate limit and the concurrency bound, and gives each task its own outcome",
    () =>
      Effect.gen(function*() {
        const stream = TaskWaiter.waitForTasks([...ids, "task-1", "task-2", "task-1"], {
          policy: WaitPolicy.fixed("1 second"),
          concurrency: 30
        })
        const exit = yield* KpsTesting.runToEnd(yield* Effect.fork(Stream.runCollect(stream)))
        expect(Exit.isSuccess(exit)).toBe(true)
        if (!Exit.isSuccess(exit)) return
        const outcomes = Chunk.toReadonlyArray(exit.value)

        // Each id once, duplicates included once.
        expect(outcomes.map((outcome) => outcome.taskId).sort()).toEqual([...ids].sort())
        // Each its own outcome.
        const byId = new Map(outcomes.map((outcome) => [outcome.taskId, outcome.result]))
        expect(Either.getOrThrow(Either.flip(byId.get("task-3")!))).toMatchObject({ _tag: "TaskFailed" })
        expect(Either.getOrThrow(Either.flip(byId.get("task-5")!))).toMatchObject({ status: 403 })
        const succeeded = outcomes.filter((outcome) => Either.isRight(outcome.result))
        expect(succeeded).toHaveLength(38)

        const requests = yield* KpsTesting.requests
        const taskOf = (url: string) => url.split("/tasks/")[1]
        // Never more than 20 requests in any 1-second window.
        const times = requests.map((request) => request.at)
        // 30 waits polling every second want 30 requests a second: the limit binds at exactly 20.
        const inWindow = times.map((at) => times.filter((other) => other > at - 1000 && other <= at).length)
        expect(Math.max(...inWindow)).toBe(20)
        // At most 30 tasks in flight at any instant: [first request, last request).
        const spans = ids.map((id) => {
          const own = requests.filter((request) => taskOf(request.url) === id).map((request) => request.at)
          return { id, first: Math.min(...own), last: Math.max(...own), count: own.length }
        })
        for (const { first } of spans) {
          expect(spans.filter((span) => span.first <= first && first < span.last).length).toBeLessThanOrEqual(30)
        }
        // Duplicates were waited on once: task-1 never has two requests at the same instant.
        const taskOne = requests.filter((request) => taskOf(request.url) === "task-1").map((request) => request.at)
        expect(new Set(taskOne).size).toBe(taskOne.length)
        // In the order the tasks ended.
        const ends = outcomes.map((outcome) => spans.find((span) => span.id === outcome.taskId)!.last)
        expect(ends).toEqual([...ends].sort((a, b) => a - b))
      }).pipe(Effect.provide(KpsTesting.layerClient({
        tasks: Object.fromEntries(ids.map((id, i) => [id, timeline(i)]))
      }))),
    { timeout: 60_000 }
  )
})

describe("TaskWaiter.waitForTasks: leaving the stream", () => {
  const ids = Array.from({ length: 50 }, (_, i) => `left-${i}`)

  it.effect(
    "stops every wait: no request once the stream is interrupted, and each wait's span ends so",
    () =>
      Effect.gen(function*() {
        const spans: Array<Tracer.Span> = []
        const native = yield* Effect.tracer
        const tracer = Tracer.make({
          span: (name, parent, context, links, startTime, kind, options) => {
            const span = native.span(name, parent, context, links, startTime, kind, options)
            if (name === "TaskWaiter.waitForTask") spans.push(span)
            return span
          },
          context: native.context
        })
        const waits = TaskWaiter.waitForTasks(ids, { policy: WaitPolicy.fixed("5 seconds"), concurrency: 50 })
        const fiber = yield* Effect.fork(Effect.withTracer(Stream.runDrain(waits), tracer))
        const polled = yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("11 seconds"))).pipe(
          Effect.zipRight(KpsTesting.requests)
        )
        // Each task polled at 5 and at 10 seconds: within the 20-a-second limit, some of them later.
        expect(polled.length).toBeGreaterThanOrEqual(50)
        yield* Fiber.interrupt(fiber)
        yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("1 hour")))
        expect(yield* KpsTesting.requests).toHaveLength(polled.length)
        expect(spans).toHaveLength(50)
        for (const span of spans) {
          expect(span.status._tag === "Ended" && Exit.isInterrupted(span.status.exit)).toBe(true)
        }
      }).pipe(Effect.provide(KpsTesting.layerClient({
        tasks: Object.fromEntries(ids.map((id) => [id, [KpsTesting.status("RUNNING_RESET")]]))
      }))),
    { timeout: 60_000 }
  )
})

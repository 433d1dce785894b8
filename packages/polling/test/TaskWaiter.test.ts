import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, FastCheck, Fiber, Logger, Random, Ref, Schedule, TestClock } from "effect"

type Step = KpsTesting.Step

/** Waits on task "t" scripted by `timeline`, runs the clock to the end, returns the exit and request times. */
const run = (timeline: ReadonlyArray<Step>, options?: TaskWaiter.WaitOptions) =>
  Effect.gen(function*() {
    // Times are reported from the start of this run: a test may run several, one after another.
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(TaskWaiter.waitForTask("t", options))
    const exit = yield* KpsTesting.runToEnd(fiber)
    const times = (yield* KpsTesting.requests).map((request) => request.at - start)
    return { exit, times }
  }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: timeline } })))

const running = (seconds: number) => KpsTesting.status("RUNNING_RESET", { for: `${seconds} seconds` })
const done = KpsTesting.status("SUCCESS_RESET")
const failure = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

describe("TaskWaiter.waitForTask: when requests go out", () => {
  it.effect("terraform: first poll after 10 s, then every 20 s", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* run([running(65), done], { policy: WaitPolicy.terraform })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(times).toEqual([10_000, 30_000, 50_000, 70_000])
    }))

  it.effect("fixed: first poll at once, then every interval", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* run([running(12), done], { policy: WaitPolicy.fixed("5 seconds") })
      expect(Exit.isSuccess(exit) && exit.value.taskStatus).toBe("SUCCESS_RESET")
      expect(times).toEqual([0, 5_000, 10_000, 15_000])
    }))

  it.effect("any Schedule: the delays it gives", () =>
    Effect.gen(function*() {
      const { times } = yield* run([running(7), done], { policy: Schedule.spaced("3 seconds") })
      expect(times).toEqual([0, 3_000, 6_000, 9_000])
    }))

  it.effect("default: the same times for the same seed", () =>
    Effect.gen(function*() {
      const seeded = (seed: number) => run([running(60), done]).pipe(Effect.withRandom(Random.make(seed)))
      const first = yield* seeded(42)
      const again = yield* seeded(42)
      const other = yield* seeded(7)
      expect(first.times).toEqual(again.times)
      expect(first.times).not.toEqual(other.times)
      expect(first.times[0]).toBe(0)
    }))

  it.effect.prop(
    "default: full jitter keeps each gap between zero and the capped exponential delay",
    [FastCheck.integer({ min: 0, max: 1_000_000 })],
    ([seed]) =>
      Effect.gen(function*() {
        const { exit, times } = yield* run([running(90), done]).pipe(Effect.withRandom(Random.make(seed)))
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(times[0]).toBe(0)
        for (let i = 1; i < times.length; i++) {
          const bound = Math.min(15_000, 1_000 * 1.5 ** (i - 1))
          const gap = times[i] - times[i - 1]
          expect(gap).toBeGreaterThanOrEqual(0)
          expect(gap).toBeLessThanOrEqual(bound + 1)
        }
      }),
    { timeout: 60_000, fastCheck: { numRuns: 25 } }
  )
})

describe("TaskWaiter.waitForTask: outcomes", () => {
  it.effect("fails with TaskFailed, carrying the task, on FAILED_*", () =>
    Effect.gen(function*() {
      const { exit } = yield* run([running(4), KpsTesting.status("FAILED_RESET")], {
        policy: WaitPolicy.fixed("2 seconds")
      })
      const error = failure(exit)
      expect(error).toMatchObject({ _tag: "TaskFailed" })
      expect(error?._tag === "TaskFailed" && error.task.taskStatus).toBe("FAILED_RESET")
    }))

  it.effect("fails at once on a terminal error: one request, no waiting", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* run([KpsTesting.apiError(403, { code: "APIG.0302", message: "not authorised" })])
      expect(failure(exit)).toMatchObject({ _tag: "KpsApiError", status: 403 })
      expect(times).toEqual([0])
    }))

  it.effect("times out at the deadline, after a last poll at the deadline", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* run([KpsTesting.status("RUNNING_UNBIND")], {
        policy: WaitPolicy.fixed("7 seconds"),
        deadline: "20 seconds"
      })
      expect(times).toEqual([0, 7_000, 14_000, 20_000])
      const error = failure(exit)
      expect(error).toMatchObject({ _tag: "WaitTimeout", taskId: "t", attempts: 4 })
      expect(error?._tag === "WaitTimeout" && error.task?.taskStatus).toBe("RUNNING_UNBIND")
      expect(error?._tag === "WaitTimeout" && Duration.toMillis(error.elapsed)).toBe(20_000)
    }))

  it.effect("shrinks the last request's timeout to the time left", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* run([KpsTesting.hang()], { deadline: "10 seconds" })
      expect(times).toEqual([0])
      expect(failure(exit)).toMatchObject({ _tag: "WaitTimeout", attempts: 1 })
    }))
})

describe("TaskWaiter.waitForTask: retries", () => {
  it.effect("retries transient errors with backoff, then succeeds", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* run([
        KpsTesting.apiError(503, { code: "KPS.0003", message: "busy" }, { times: 2 }),
        done
      ])
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(times).toEqual([0, 1_000, 3_000])
    }))

  it.effect("waits a Retry-After in full, never less than the backoff", () =>
    Effect.gen(function*() {
      const hinted = yield* run([KpsTesting.throttled({ retryAfter: 5, times: 1 }), done])
      expect(hinted.times).toEqual([0, 5_000])
      const short = yield* run([KpsTesting.throttled({ retryAfter: 0, times: 1 }), done])
      expect(short.times).toEqual([0, 1_000])
    }))

  it.effect("caps a long Retry-After at 60 s", () =>
    Effect.gen(function*() {
      const { times } = yield* run([KpsTesting.throttled({ retryAfter: 3600, times: 1 }), done])
      expect(times).toEqual([0, 60_000])
    }))

  it.effect("reads a Retry-After given as an HTTP date", () =>
    Effect.gen(function*() {
      const { times } = yield* run([
        KpsTesting.throttled({ retryAfter: new Date(8_000).toUTCString(), times: 1 }),
        done
      ])
      expect(times).toEqual([0, 8_000])
    }))

  it.effect("stops retrying when the retry budget is spent", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* run([KpsTesting.transportError("ConnectionReset")], {
        policy: WaitPolicy.make({ retry: { budget: 3 } })
      })
      expect(failure(exit)).toMatchObject({ _tag: "KpsTransportError", reason: "ConnectionReset" })
      expect(times).toEqual([0, 1_000, 3_000, 7_000])
    }))
})

describe("TaskWaiter.waitForTask: onRetry", () => {
  /** Runs a wait recording each retry it reports, and when it reported it. */
  const observe = (timeline: ReadonlyArray<Step>, options?: TaskWaiter.WaitOptions) =>
    Effect.gen(function*() {
      const seen: Array<{ readonly at: number; readonly retry: TaskWaiter.Retry }> = []
      const start = yield* Clock.currentTimeMillis
      const result = yield* run(timeline, {
        ...options,
        onRetry: (retry) => Effect.map(Clock.currentTimeMillis, (now) => void seen.push({ at: now - start, retry }))
      })
      return { ...result, seen }
    })
  const summary = ({ at, retry }: { readonly at: number; readonly retry: TaskWaiter.Retry }) => ({
    at,
    taskId: retry.taskId,
    error: retry.error._tag,
    classification: retry.classification,
    attempt: retry.attempt,
    retriesLeft: retry.retriesLeft,
    delay: Duration.toMillis(retry.delay)
  })

  it.effect("reports each retry as it happens: what failed, why it is retried, the attempt, the delay", () =>
    Effect.gen(function*() {
      const { exit, seen, times } = yield* observe([
        KpsTesting.transportError("ConnectionRefused", { times: 2 }),
        KpsTesting.throttled({ retryAfter: 5, times: 1 }),
        running(1),
        done
      ], { policy: WaitPolicy.fixed("2 seconds") })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(times).toEqual([0, 1_000, 3_000, 8_000, 10_000])
      expect(seen.map(summary)).toEqual([
        {
          at: 0,
          taskId: "t",
          error: "KpsTransportError",
          classification: "transient",
          attempt: 1,
          retriesLeft: 9,
          delay: 1_000
        },
        {
          at: 1_000,
          taskId: "t",
          error: "KpsTransportError",
          classification: "transient",
          attempt: 2,
          retriesLeft: 8,
          delay: 2_000
        },
        {
          at: 3_000,
          taskId: "t",
          error: "KpsApiError",
          classification: "throttled",
          attempt: 3,
          retriesLeft: 7,
          delay: 5_000
        }
      ])
      expect(seen[0].retry.error).toMatchObject({ reason: "ConnectionRefused" })
    }))

  it.effect("reports the delay as shortened by the deadline, and nothing for a failure that ends the wait", () =>
    Effect.gen(function*() {
      const late = yield* observe([KpsTesting.apiError(503, { code: "KPS.0003", message: "busy" })], {
        deadline: "2500 millis"
      })
      expect(failure(late.exit)).toMatchObject({ _tag: "WaitTimeout", attempts: 3 })
      expect(late.seen.map(({ at, retry }) => [at, retry.attempt, Duration.toMillis(retry.delay)])).toEqual([
        [0, 1, 1_000],
        [1_000, 2, 1_500]
      ])
      const spent = yield* observe([KpsTesting.transportError("ConnectionReset")], {
        policy: WaitPolicy.make({ retry: { budget: 2 } })
      })
      expect(spent.times).toHaveLength(3)
      expect(spent.seen.map(({ retry }) => [retry.attempt, retry.retriesLeft])).toEqual([[1, 1], [2, 0]])
      const terminal = yield* observe([KpsTesting.apiError(403, { code: "KPS.9003", message: "denied" })])
      expect(terminal.times).toHaveLength(1)
      expect(terminal.seen).toEqual([])
    }))
})

describe("TaskWaiter.waitForTask: unknown and missing", () => {
  it.effect("waits on an unknown status, warning once per distinct value", () =>
    Effect.gen(function*() {
      const warnings = yield* Ref.make<ReadonlyArray<string>>([])
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") Effect.runSync(Ref.update(warnings, (all) => [...all, String(message)]))
      })
      const { exit } = yield* run([
        KpsTesting.status("PAUSED_RESET", { for: "5 seconds" }),
        KpsTesting.status("HIBERNATING", { for: "5 seconds" }),
        done
      ], { policy: WaitPolicy.fixed("1 second") }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(Exit.isSuccess(exit)).toBe(true)
      const logged = yield* Ref.get(warnings)
      expect(logged).toHaveLength(2)
      expect(logged[0]).toContain("PAUSED_RESET")
      expect(logged[1]).toContain("HIBERNATING")
    }))

  it.effect("fails on an unknown status when told to", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* run([KpsTesting.status("PAUSED_RESET")], { onUnknownStatus: "fail" })
      expect(failure(exit)).toMatchObject({ _tag: "TaskFailed" })
      expect(times).toEqual([0])
    }))

  it.effect("tolerates 'not found' right after submission for notFoundGrace polls", () =>
    Effect.gen(function*() {
      const notYet = KpsTesting.apiError(404, { code: "KPS.0404", message: "task not found" }, { times: 2 })
      const tolerant = yield* run([notYet, done], { policy: WaitPolicy.fixed("2 seconds"), notFoundGrace: 2 })
      expect(Exit.isSuccess(tolerant.exit)).toBe(true)
      expect(tolerant.times).toEqual([0, 2_000, 4_000])
      const strict = yield* run([notYet, done], { policy: WaitPolicy.fixed("2 seconds") })
      expect(failure(strict.exit)).toMatchObject({ _tag: "KpsApiError", status: 404 })
      expect(strict.times).toEqual([0])
    }))
})

describe("TaskWaiter.waitForTask: bad options", () => {
  const invalid: ReadonlyArray<readonly [string, TaskWaiter.WaitOptions]> = [
    ["deadline", { deadline: "soon" as Duration.DurationInput }],
    ["deadline", { deadline: Number.NaN }],
    ["notFoundGrace", { notFoundGrace: -1 }],
    ["notFoundGrace", { notFoundGrace: 1.5 }]
  ]
  for (const [field, options] of invalid) {
    it.effect(`${field} ${JSON.stringify(Object.values(options)[0])}: KpsInvalidInput before any request`, () =>
      Effect.gen(function*() {
        const { exit, times } = yield* run([done], options)
        expect(failure(exit)).toMatchObject({ _tag: "KpsInvalidInput", field })
        expect(times).toEqual([])
      }))
  }
})

describe("TaskWaiter.waitForTask: interruption", () => {
  it.effect("sends no further request once interrupted", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(TaskWaiter.waitForTask("t", { policy: WaitPolicy.fixed("5 seconds") }))
      // Let it poll twice, then interrupt it while it sleeps.
      const firstTwo = yield* Effect.fork(KpsTesting.runToEnd(Fiber.void))
      yield* Fiber.join(firstTwo)
      yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("6 seconds")))
      expect(yield* KpsTesting.requests).toHaveLength(2)
      yield* Fiber.interrupt(fiber)
      yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("1 hour")))
      expect(yield* KpsTesting.requests).toHaveLength(2)
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.status("RUNNING_RESET")] } }))))

  /**
   * The TestClock, counting the sleeps in progress: one interrupted ends its count. (The TestClock
   * itself lists an interrupted sleep until its time comes, so its `sleeps` cannot tell.)
   */
  const countingSleeps = Effect.map(TestClock.testClock(), (clock) => {
    let pending = 0
    const counting: Clock.Clock = {
      [Clock.ClockTypeId]: Clock.ClockTypeId,
      unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis(),
      unsafeCurrentTimeNanos: () => clock.unsafeCurrentTimeNanos(),
      currentTimeMillis: clock.currentTimeMillis,
      currentTimeNanos: clock.currentTimeNanos,
      sleep: (duration) =>
        Effect.suspend(() => {
          pending++
          return Effect.ensuring(clock.sleep(duration), Effect.sync(() => pending--))
        })
    }
    return { counting, pending: () => pending }
  })

  it.effect("leaves no timer behind: interrupted while it sleeps", () =>
    Effect.gen(function*() {
      const { counting, pending } = yield* countingSleeps
      const fiber = yield* Effect.fork(
        Effect.withClock(TaskWaiter.waitForTask("t", { policy: WaitPolicy.fixed("5 seconds") }), counting)
      )
      yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("6 seconds")))
      expect(yield* KpsTesting.requests).toHaveLength(2)
      expect(pending()).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(pending()).toBe(0)
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.status("RUNNING_RESET")] } }))))

  it.effect("aborts the request in flight and leaves no timer behind: interrupted while it asks", () =>
    Effect.gen(function*() {
      const { counting, pending } = yield* countingSleeps
      const fiber = yield* Effect.fork(Effect.withClock(TaskWaiter.waitForTask("t"), counting))
      // The stub holds the request (it never answers) with the request's timeout running.
      yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("1 second")))
      expect(yield* KpsTesting.requests).toHaveLength(1)
      expect(pending()).toBe(1)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(pending()).toBe(0)
      yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("1 hour")))
      expect(yield* KpsTesting.requests).toHaveLength(1)
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.hang()] } }))))
})

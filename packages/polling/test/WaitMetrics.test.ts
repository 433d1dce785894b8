import { TaskWaiter, WaitMetrics, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Metric } from "effect"

describe("WaitMetrics", () => {
  it.effect("count polls and throttles, and record how long the wait took", () =>
    Effect.gen(function*() {
      const before = {
        polls: (yield* Metric.value(WaitMetrics.polls)).count,
        throttles: (yield* Metric.value(WaitMetrics.throttles)).count,
        waits: (yield* Metric.value(WaitMetrics.waitDuration)).count,
        waited: (yield* Metric.value(WaitMetrics.waitDuration)).sum
      }
      const fiber = yield* Effect.fork(TaskWaiter.waitForTask("t", { policy: WaitPolicy.fixed("5 seconds") }))
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(Exit.isSuccess(exit)).toBe(true)
      // 0 s throttled, 2 s (backoff after Retry-After 2) running, 7 s and 12 s: 4 queries, 1 throttled.
      expect((yield* Metric.value(WaitMetrics.polls)).count - before.polls).toBe(4)
      expect((yield* Metric.value(WaitMetrics.throttles)).count - before.throttles).toBe(1)
      expect((yield* Metric.value(WaitMetrics.waitDuration)).count - before.waits).toBe(1)
      expect((yield* Metric.value(WaitMetrics.waitDuration)).sum - before.waited).toBe(12_000)
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        t: [
          KpsTesting.throttled({ retryAfter: 2, times: 1 }),
          KpsTesting.status("RUNNING_RESET", { for: "10 seconds" }),
          KpsTesting.status("SUCCESS_RESET")
        ]
      }
    }))))
})

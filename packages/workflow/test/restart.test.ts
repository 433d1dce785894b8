import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { KpsWorkflow, WorkflowMetrics } from "@effect-kps/workflow"
import {
  ClusterWorkflowEngine,
  MessageStorage,
  RunnerHealth,
  Runners,
  RunnerStorage,
  Sharding,
  ShardingConfig
} from "@effect/cluster"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Layer, Metric, Scope, TestClock } from "effect"

// One "process": a cluster runner with the wait registered, its messages in a MemoryDriver that
// outlives it, as a database outlives the processes that use it.
const processLayer = KpsWorkflow.layerWaitForTask.pipe(
  Layer.provideMerge(ClusterWorkflowEngine.layer),
  Layer.provide(
    Sharding.layer.pipe(
      Layer.provideMerge(Runners.layerNoop),
      Layer.provideMerge(
        Layer.effect(MessageStorage.MessageStorage, Effect.map(MessageStorage.MemoryDriver, (driver) => driver.storage))
      ),
      Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
      // Stops at once, as a crash does, instead of giving entities time to finish.
      Layer.provide(ShardingConfig.layer({ entityTerminationTimeout: Duration.zero }))
    )
  )
)

const running = (seconds: number) => KpsTesting.status("RUNNING_RESET", { for: `${seconds} seconds` })
const done = KpsTesting.status("SUCCESS_RESET")

const payload = { taskId: "t", policy: WaitPolicy.fixed("10 seconds"), deadline: Duration.seconds(60) }

/** Starts a process on what outlives it; closing the scope it returns stops it. */
const startProcess = Effect.gen(function*() {
  const scope = yield* Scope.make()
  const context = yield* Layer.buildWithScope(processLayer, scope)
  return { scope, context }
})

describe("KpsWorkflow.WaitForTask across a restart (cluster engine, storage kept)", () => {
  it.scoped(
    "a restarted process takes the wait up where it was: same deadline, answered polls not sent again",
    () =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const resumedBefore = (yield* Metric.value(WorkflowMetrics.resumed)).count
        const first = yield* startProcess
        yield* KpsWorkflow.WaitForTask.execute(payload, { discard: true }).pipe(Effect.provide(first.context))
        // Polls at 0, 10 and 20 s; then the process stops, mid-sleep.
        yield* TestClock.adjust("25 seconds")
        const beforeRestart = (yield* KpsTesting.requests).map((request) => request.at - start)
        expect(beforeRestart).toEqual([0, 10_000, 20_000])
        yield* Scope.close(first.scope, Exit.void)

        // Down for 20 s, then a new process on the same storage.
        yield* TestClock.adjust("20 seconds")
        const second = yield* startProcess
        const exit = yield* KpsWorkflow.WaitForTask.execute(payload).pipe(
          Effect.provide(second.context),
          Effect.fork,
          Effect.flatMap(KpsTesting.runToEnd)
        )
        const times = (yield* KpsTesting.requests).map((request) => request.at - start)

        // The deadline is 60 s after the first start, not after the restart; the polls answered
        // before the stop are read from storage, not sent again.
        const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(error).toBeInstanceOf(TaskWaiter.WaitTimeout)
        expect(error?._tag === "WaitTimeout" && [error.attempts, Duration.toMillis(error.elapsed)]).toEqual([5, 60_000])
        expect(times).toHaveLength(5)
        expect(times.slice(0, 3)).toEqual([0, 10_000, 20_000])
        expect(times[3]).toBeGreaterThanOrEqual(45_000)
        expect(times[4]).toBe(60_000)
        expect((yield* Metric.value(WorkflowMetrics.resumed)).count - resumedBefore).toBeGreaterThanOrEqual(1)
        yield* Scope.close(second.scope, Exit.void)
      }).pipe(
        Effect.provide(MessageStorage.MemoryDriver.Default),
        Effect.provide(KpsTesting.layerClient({ tasks: { t: [running(3_600), done] } }))
      ),
    { timeout: 60_000 }
  )
})

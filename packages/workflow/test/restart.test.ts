import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { KpsWorkflow, WorkflowMetrics } from "@effect-kps/workflow"
import { MessageStorage } from "@effect/cluster"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Metric, Scope, TestClock } from "effect"
import { startProcess, storages } from "./utils/processes.js"

const running = (seconds: number) => KpsTesting.status("RUNNING_RESET", { for: `${seconds} seconds` })
const done = KpsTesting.status("SUCCESS_RESET")

const payload = { taskId: "t", policy: WaitPolicy.fixed("10 seconds"), deadline: Duration.seconds(60) }

describe("KpsWorkflow.WaitForTask across a restart", () => {
  for (const storage of storages) {
    it.scoped(
      `${storage.name}: a restarted process takes the wait up where it was, with the same deadline`,
      () =>
        Effect.gen(function*() {
          const { layer: processLayer } = yield* storage.make
          const start = yield* Clock.currentTimeMillis
          const resumedBefore = (yield* Metric.value(WorkflowMetrics.resumed)).count
          const first = yield* startProcess(processLayer)
          yield* KpsWorkflow.WaitForTask.execute(payload, { discard: true }).pipe(Effect.provide(first.context))
          // Polls at 0, 10 and 20 s; then the process stops, mid-sleep.
          yield* TestClock.adjust("25 seconds")
          expect((yield* KpsTesting.requests).map((request) => request.at - start)).toEqual([0, 10_000, 20_000])
          yield* Scope.close(first.scope, Exit.void)

          // Down for 20 s, then a new process on the same storage.
          yield* TestClock.adjust("20 seconds")
          const second = yield* startProcess(processLayer)
          const exit = yield* KpsWorkflow.WaitForTask.execute(payload).pipe(
            Effect.provide(second.context),
            Effect.fork,
            Effect.flatMap(KpsTesting.runToEnd)
          )
          const times = (yield* KpsTesting.requests).map((request) => request.at - start)
          yield* Scope.close(second.scope, Exit.void)

          // The deadline is 60 s after the first start, not after the restart; the polls answered
          // before the stop are read from storage, not sent again.
          const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
          expect(error).toBeInstanceOf(TaskWaiter.WaitTimeout)
          expect(error?._tag === "WaitTimeout" && [error.attempts, Duration.toMillis(error.elapsed)]).toEqual([
            5,
            60_000
          ])
          expect(times).toHaveLength(5)
          expect(times.slice(0, 3)).toEqual([0, 10_000, 20_000])
          expect(times[3]).toBeGreaterThanOrEqual(45_000)
          expect(times[4]).toBe(60_000)
          expect((yield* Metric.value(WorkflowMetrics.resumed)).count - resumedBefore).toBeGreaterThanOrEqual(1)
        }).pipe(
          Effect.provide(KpsTesting.layerClient({ tasks: { t: [running(3_600), done] } })),
          Effect.provide(MessageStorage.MemoryDriver.Default)
        ),
      { timeout: 60_000 }
    )
  }
})

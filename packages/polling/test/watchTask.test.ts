import type { KeypairTask } from "@effect-kps/core"
import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Stream } from "effect"

/** Collects what watchTask emits for task "t" scripted by `timeline`, running the clock to the end. */
const watch = (timeline: ReadonlyArray<KpsTesting.Step>, options?: TaskWaiter.WaitOptions) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Stream.runCollect(TaskWaiter.watchTask("t", options)))
    const exit = yield* KpsTesting.runToEnd(fiber)
    return { exit, requests: (yield* KpsTesting.requests).length }
  }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: timeline } })))

const statuses = <E>(exit: Exit.Exit<Chunk.Chunk<KeypairTask.KeypairTask>, E>) =>
  Exit.isSuccess(exit) ? Chunk.toReadonlyArray(exit.value).map((task) => task.taskStatus) : exit

describe("TaskWaiter.watchTask", () => {
  it.effect("emits each distinct status once, then ends after the terminal one", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* watch([
        KpsTesting.status("READY_RESET", { for: "5 seconds" }),
        KpsTesting.status("RUNNING_RESET", { for: "10 seconds" }),
        KpsTesting.status("SUCCESS_RESET")
      ], { policy: WaitPolicy.fixed("2 seconds") })
      expect(statuses(exit)).toEqual(["READY_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
      // Every poll read a status: far more polls than emissions.
      expect(requests).toBe(9)
    }))

  it.effect("emits a failed task, then fails with TaskFailed carrying it", () =>
    Effect.gen(function*() {
      const emitted: Array<KeypairTask.KeypairTask> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(
          TaskWaiter.watchTask("t", { policy: WaitPolicy.fixed("1 second") }),
          (task) => Effect.sync(() => emitted.push(task))
        )
      )
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(emitted.map((task) => task.taskStatus)).toEqual(["RUNNING_UNBIND", "FAILED_UNBIND"])
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error).toMatchObject({
        _tag: "TaskFailed",
        task: { taskId: "t", taskStatus: "FAILED_UNBIND", phase: "failed" }
      })
      // The same error waitForTask fails with, so one handler serves both.
      const handled = yield* Effect.fork(
        TaskWaiter.watchTask("t").pipe(
          Stream.runDrain,
          Effect.catchTag("TaskFailed", (error) => Effect.succeed(error.task.taskStatus))
        )
      )
      expect(yield* KpsTesting.runToEnd(handled)).toEqual(Exit.succeed("FAILED_UNBIND"))
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: { t: [KpsTesting.status("RUNNING_UNBIND", { for: "3 seconds" }), KpsTesting.status("FAILED_UNBIND")] }
    }))))

  it.effect("with onUnknownStatus: \"fail\", emits the task, then fails with TaskFailed", () =>
    Effect.gen(function*() {
      const { exit } = yield* watch([KpsTesting.status("PAUSED_RESET")], { onUnknownStatus: "fail" })
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error).toMatchObject({
        _tag: "TaskFailed",
        task: { taskStatus: "PAUSED_RESET" }
      })
    }))

  it.effect("fails when the wait fails", () =>
    Effect.gen(function*() {
      const terminal = yield* watch([KpsTesting.apiError(401, { code: "APIG.0301", message: "token expired" })])
      expect(Exit.isFailure(terminal.exit)).toBe(true)
      expect(terminal.requests).toBe(1)
      const late = yield* watch([KpsTesting.status("RUNNING_RESET")], {
        policy: WaitPolicy.fixed("5 seconds"),
        deadline: "12 seconds"
      })
      expect(Exit.isFailure(late.exit) && JSON.stringify(late.exit.cause)).toContain("WaitTimeout")
    }))
})

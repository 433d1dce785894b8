import { TaskWaiter, WaitPolicy, WaitState } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Schema } from "effect"

const failure = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

describe("WaitState: resuming a wait", () => {
  it.effect("keeps the deadline and counts attempts on, from a state saved as JSON", () =>
    Effect.gen(function*() {
      const saved: Array<string> = []
      const options = { policy: WaitPolicy.fixed("5 seconds"), deadline: "60 seconds" } as const
      // The first run saves its state after every poll, then dies at 22 s.
      const first = yield* Effect.fork(TaskWaiter.waitForTask("t", {
        ...options,
        onState: (state) => Effect.sync(() => saved.push(JSON.stringify(Schema.encodeSync(WaitState.WaitState)(state))))
      }))
      yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("22 seconds")))
      yield* Fiber.interrupt(first)
      expect(saved).toHaveLength(5)
      const last = JSON.parse(saved.at(-1)!)
      expect(last).toEqual({ taskId: "t", startedAt: 0, deadlineAt: 60_000, attempts: 5, lastStatus: "RUNNING_RESET" })

      // Restarted at 40 s, it polls at once and ends at the original deadline.
      yield* KpsTesting.runToEnd(yield* Effect.fork(Effect.sleep("18 seconds")))
      const exit = yield* KpsTesting.runToEnd(
        yield* Effect.fork(TaskWaiter.waitForTask("t", { ...options, resume: JSON.parse(saved.at(-1)!) }))
      )
      const timeout = failure(exit)
      expect(timeout).toMatchObject({ _tag: "WaitTimeout", attempts: 5 + 5 })
      expect(timeout?._tag === "WaitTimeout" && Duration.toMillis(timeout.elapsed)).toBe(60_000)
      const times = (yield* KpsTesting.requests).map((request) => request.at)
      expect(times).toEqual([0, 5_000, 10_000, 15_000, 20_000, 40_000, 45_000, 50_000, 55_000, 60_000])
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.status("RUNNING_RESET")] } }))))

  it.effect("fails loudly, before any request, on a state that does not decode or is another task's", () =>
    Effect.gen(function*() {
      const deep = JSON.parse(`{"taskId":"t","startedAt":${"[".repeat(5_000)}${"]".repeat(5_000)}}`)
      for (const corrupt of [{ taskId: "t", startedAt: "yesterday" }, "{not json}", null, { taskId: "t" }, deep]) {
        const error = yield* Effect.flip(TaskWaiter.waitForTask("t", { resume: corrupt }))
        expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "resume" })
        expect(error.message).toContain("does not decode")
      }
      const other = new WaitState.WaitState({ taskId: "other", startedAt: 0, deadlineAt: 1, attempts: 0 })
      const error = yield* Effect.flip(TaskWaiter.waitForTask("t", { resume: other }))
      expect(error.message).toContain("task other's")
      expect(yield* KpsTesting.requests).toHaveLength(0)
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.status("SUCCESS_RESET")] } }))))
})

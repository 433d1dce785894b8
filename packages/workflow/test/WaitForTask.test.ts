import { TaskWaiter, WaitMetrics, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { KpsWorkflow, WorkflowMetrics } from "@effect-kps/workflow"
import { describe, expect, it } from "@effect/vitest"
import { WorkflowEngine } from "@effect/workflow"
import { Clock, Duration, Effect, Exit, Fiber, Layer, Metric } from "effect"

type Step = KpsTesting.Step

/** A wait on task "t" scripted by `timeline`, on the in-memory engine and the stub. */
const layer = (timeline: ReadonlyArray<Step>) =>
  KpsWorkflow.layerWaitForTask.pipe(
    Layer.provideMerge(WorkflowEngine.layerMemory),
    Layer.provideMerge(KpsTesting.layerClient({ tasks: { t: timeline } }))
  )

/** Executes the wait, runs the clock to its end: its exit and when each request went out. */
const execute = (payload: Partial<typeof KpsWorkflow.WaitForTaskPayload.Type> = {}) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(KpsWorkflow.WaitForTask.execute({ taskId: "t", ...payload }))
    const exit = yield* KpsTesting.runToEnd(fiber)
    const times = (yield* KpsTesting.requests).map((request) => request.at - start)
    return { exit, times }
  })

const running = (seconds: number) => KpsTesting.status("RUNNING_RESET", { for: `${seconds} seconds` })
const done = KpsTesting.status("SUCCESS_RESET")
const failure = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

describe("KpsWorkflow.WaitForTask on the in-memory engine", () => {
  it.effect("succeeds with the task, polling on the policy's cadence", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* execute({ policy: WaitPolicy.fixed("5 seconds") })
      expect(Exit.isSuccess(exit) && exit.value.taskStatus).toBe("SUCCESS_RESET")
      expect(times).toEqual([0, 5_000, 10_000, 15_000])
    }).pipe(Effect.provide(layer([running(12), done]))))

  it.effect("waits the terraform cadence: first poll after 10 s, then every 20 s", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* execute({ policy: WaitPolicy.terraform })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(times).toEqual([10_000, 30_000, 50_000, 70_000])
    }).pipe(Effect.provide(layer([running(65), done]))))

  it.effect("fails with TaskFailed, carrying the task, on FAILED_*", () =>
    Effect.gen(function*() {
      const { exit } = yield* execute({ policy: WaitPolicy.fixed("2 seconds") })
      const error = failure(exit)
      expect(error).toBeInstanceOf(TaskWaiter.TaskFailed)
      expect(error?._tag === "TaskFailed" && error.task.taskStatus).toBe("FAILED_RESET")
    }).pipe(Effect.provide(layer([running(4), KpsTesting.status("FAILED_RESET")]))))

  it.effect("fails with WaitTimeout at the deadline, a last poll at the deadline itself", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* execute({ policy: WaitPolicy.fixed("20 seconds"), deadline: Duration.seconds(50) })
      const error = failure(exit)
      expect(error).toBeInstanceOf(TaskWaiter.WaitTimeout)
      expect(error?._tag === "WaitTimeout" && error.attempts).toBe(4)
      expect(times).toEqual([0, 20_000, 40_000, 50_000])
    }).pipe(Effect.provide(layer([running(3_600), done]))))

  it.effect("waits out a Retry-After before the next request", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* execute({ policy: WaitPolicy.fixed("1 second") })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(times).toEqual([0, 5_000])
    }).pipe(Effect.provide(layer([KpsTesting.throttled({ retryAfter: 5, times: 1 }), done]))))

  it.effect("fails at once, without retrying, on an error that cannot heal", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* execute({ policy: WaitPolicy.fixed("1 second") })
      expect(failure(exit)).toMatchObject({ _tag: "KpsApiError", status: 403 })
      expect(times).toEqual([0])
    }).pipe(Effect.provide(layer([KpsTesting.apiError(403, { code: "KPS.0002", message: "denied" })]))))

  it.effect("executing twice for one task joins the one execution: one set of requests", () =>
    Effect.gen(function*() {
      const first = yield* Effect.fork(
        KpsWorkflow.WaitForTask.execute({ taskId: "t", policy: WaitPolicy.fixed("5 seconds") })
      )
      const second = yield* Effect.fork(
        KpsWorkflow.WaitForTask.execute({ taskId: "t", policy: WaitPolicy.fixed("5 seconds") })
      )
      yield* KpsTesting.runToEnd(first)
      const [a, b] = [yield* Fiber.join(first), yield* Fiber.join(second)]
      expect(a).toEqual(b)
      expect((yield* KpsTesting.requests).length).toBe(3)
    }).pipe(Effect.provide(layer([running(8), done]))))

  it.effect("counts polls in WaitMetrics and the start in WorkflowMetrics", () =>
    Effect.gen(function*() {
      const polls = (yield* Metric.value(WaitMetrics.polls)).count
      const started = (yield* Metric.value(WorkflowMetrics.started)).count
      yield* execute({ policy: WaitPolicy.fixed("5 seconds") })
      expect((yield* Metric.value(WaitMetrics.polls)).count - polls).toBe(3)
      expect((yield* Metric.value(WorkflowMetrics.started)).count - started).toBe(1)
    }).pipe(Effect.provide(layer([running(8), done]))))

  it.effect("a payload that does not decode fails before any request", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(KpsWorkflow.WaitForTask.execute({ taskId: " " }))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* KpsTesting.requests).toEqual([])
    }).pipe(Effect.provide(layer([done]))))
})

import { KpsClient, KpsError, TaskRef } from "@effect-kps/core"
import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Ref, Tracer } from "effect"

const started = (taskId: string) => Effect.succeed(new TaskRef.TaskRef({ taskId, serverId: "server-1" }))
const notYet = KpsTesting.apiError(404, { code: "KPS.0001", message: "no such task" }, { times: 2 })
const running = KpsTesting.status("RUNNING_RESET", { for: "6 seconds" })

/** Runs an effect on the TestClock until it ends. */
const runOut = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.fork(effect), (fiber) => KpsTesting.runToEnd(fiber))

/** A tracer that keeps every span it starts. */
const recordingTracer = Effect.map(Effect.tracer, (native) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    context: native.context,
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
})

describe("TaskWaiter.startAndWait", () => {
  it.effect("waits on the task the start answered, under one span that covers both steps", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      const fiber = yield* TaskWaiter.startAndWait(
        Effect.zipRight(Effect.withSpan(Effect.void, "start"), started("t-1")),
        { policy: WaitPolicy.fixed("2 seconds") }
      ).pipe(Effect.withTracer(tracer), Effect.fork)
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(Exit.isSuccess(exit) && exit.value.taskStatus).toBe("SUCCESS_RESET")
      const outer = spans.find((span) => span.name === "TaskWaiter.startAndWait")!
      expect(outer.attributes.get("kps.task_id")).toBe("t-1")
      const parentOf = (name: string) => {
        const span = spans.find((candidate) => candidate.name === name)!
        return span.parent._tag === "Some" ? span.parent.value.spanId : undefined
      }
      expect(parentOf("start")).toBe(outer.spanId)
      expect(parentOf("TaskWaiter.waitForTask")).toBe(outer.spanId)
      expect(outer.status._tag).toBe("Ended")
      expect((yield* KpsTesting.requests).length).toBe(4)
    }).pipe(
      Effect.provide(KpsTesting.layerClient({ tasks: { "t-1": [running, KpsTesting.status("SUCCESS_RESET")] } }))
    ))

  it.effect("a start that fails is the result, run once, and nothing is polled", () =>
    Effect.gen(function*() {
      const starts = yield* Ref.make(0)
      const unavailable = new KpsError.KpsApiError({ status: 503, errorCode: "KPS.0003", errorMessage: "busy" })
      const exit = yield* TaskWaiter.startAndWait(Effect.zipRight(Ref.update(starts, (n) => n + 1), unavailable)).pipe(
        Effect.exit
      )
      expect(exit).toEqual(Exit.fail(unavailable))
      expect(yield* Ref.get(starts)).toBe(1)
      expect(yield* KpsTesting.requests).toEqual([])
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))

  it.effect("a task not visible yet right after its start is polled again (notFoundGrace 2 by default)", () =>
    Effect.gen(function*() {
      const fiber = yield* TaskWaiter.startAndWait(started("t-1"), { policy: WaitPolicy.fixed("1 second") }).pipe(
        Effect.fork
      )
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(Exit.isSuccess(exit)).toBe(true)
      expect((yield* KpsTesting.requests).length).toBe(3)
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { "t-1": [notYet, KpsTesting.status("SUCCESS_RESET")] } }))))

  it.effect("the wait's outcomes are waitForTask's: a failed task is TaskFailed, an explicit grace of 0 wins", () =>
    Effect.gen(function*() {
      const failed = yield* runOut(TaskWaiter.startAndWait(started("t-failed")))
      expect(failed).toMatchObject(Exit.fail({ _tag: "TaskFailed" }))
      const missing = yield* runOut(TaskWaiter.startAndWait(started("t-missing"), { notFoundGrace: 0 }))
      expect(missing).toMatchObject(Exit.fail({ _tag: "KpsApiError", status: 404 }))
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { "t-failed": [KpsTesting.status("FAILED_RESET")] } }))))

  it.effect("composes with KpsClient.associateKeypair's type: any effect answering a TaskRef", () =>
    Effect.gen(function*() {
      const program: Effect.Effect<unknown, unknown, KpsClient.KpsClient> = TaskWaiter.startAndWait(
        KpsClient.associateKeypair({ keypairName: "kp", server: { id: "" } })
      )
      const invalid = yield* Effect.flip(program)
      expect(invalid).toMatchObject({ _tag: "KpsInvalidInput", field: "server.id" })
      expect(yield* KpsTesting.requests).toEqual([])
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))
})

import { KpsClient, KpsError, TaskRef } from "@effect-kps/core"
import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Ref, type Tracer } from "effect"

const started = (taskId: string) => Effect.succeed(new TaskRef.TaskRef({ taskId, serverId: "server-1" }))
const notYet = KpsTesting.apiError(404, { code: "KPS.0001", message: "no such task" }, { times: 2 })
const running = KpsTesting.status("RUNNING_RESET", { for: "6 seconds" })

/** Runs an effect on the TestClock until it ends. */
const runOut = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.fork(effect), (fiber) => KpsTesting.runToEnd(fiber))

describe("TaskWaiter.startAndWait", () => {
  it.effect("waits on the task the start answered, under one span that covers both steps", () =>
    Effect.gen(function*() {
      // The spans seen from inside: the start's current span, and each poll's span with its parents.
      const startSpan = yield* Ref.make<Tracer.AnySpan | undefined>(undefined)
      const pollSpans = yield* Ref.make<ReadonlyArray<Tracer.Span>>([])
      const layer = KpsTesting.layerClient({ tasks: { "t-1": [running, KpsTesting.status("SUCCESS_RESET")] } }, {
        transformClient: HttpClient.tapRequest(() =>
          Effect.flatMap(Effect.orDie(Effect.currentSpan), (span) => Ref.update(pollSpans, (all) => [...all, span]))
        )
      })
      const start = Effect.zipRight(
        Effect.flatMap(Effect.currentSpan, (span) => Ref.set(startSpan, span)),
        started("t-1")
      )
      const exit = yield* runOut(TaskWaiter.startAndWait(start, { policy: WaitPolicy.fixed("2 seconds") })).pipe(
        Effect.provide(layer)
      )
      expect(Exit.isSuccess(exit) && exit.value.taskStatus).toBe("SUCCESS_RESET")
      const outer = (yield* Ref.get(startSpan)) as Tracer.Span
      expect(outer.name).toBe("TaskWaiter.startAndWait")
      expect(outer.attributes.get("kps.task_id")).toBe("t-1")
      expect(outer.status._tag).toBe("Ended")
      const polls = yield* Ref.get(pollSpans)
      expect(polls).toHaveLength(4)
      const chain = (span: Tracer.AnySpan): ReadonlyArray<string> =>
        span._tag === "Span" && span.parent._tag === "Some"
          ? [span.name, ...chain(span.parent.value)]
          : [span._tag === "Span" ? span.name : "external"]
      for (const poll of polls) {
        expect(chain(poll)).toEqual(["TaskWaiter.poll", "TaskWaiter.waitForTask", "TaskWaiter.startAndWait"])
        const waitSpan = poll.parent._tag === "Some" ? poll.parent.value : undefined
        expect(waitSpan?._tag === "Span" && waitSpan.parent._tag === "Some" && waitSpan.parent.value).toBe(outer)
      }
    }))

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

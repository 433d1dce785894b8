import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Duration, Effect, Either, Exit, Stream } from "effect"
import * as SlidingWindow from "../src/internal/slidingWindow.js"

describe("the shared rate limit", () => {
  it.effect("grants at most `limit` in any window, bursts included", () =>
    Effect.gen(function*() {
      const acquire = yield* SlidingWindow.make(3, Duration.seconds(1))
      const granted: Array<number> = []
      const fiber = yield* Effect.fork(Effect.forEach(
        Array.from({ length: 8 }),
        () =>
          Effect.flatMap(
            Effect.zipRight(acquire, Clock.currentTimeMillis),
            (at) => Effect.sync(() => granted.push(at))
          ),
        { concurrency: "unbounded", discard: true }
      ))
      yield* KpsTesting.runToEnd(fiber)
      expect(granted).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000])
    }))
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

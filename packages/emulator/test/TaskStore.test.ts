import { TaskStore } from "@effect-kps/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"

const projectId = "0123456789abcdef0123456789abcdef"

describe("TaskStore.makeMemory", () => {
  it.effect("statuses follow the clock: a third READY, then RUNNING, then SUCCESS", () =>
    Effect.gen(function*() {
      const store = yield* TaskStore.makeMemory({ taskDuration: "3 seconds" })
      const task = yield* store.create({ projectId, operation: "associate", serverId: "s-1", keypairName: "kp" })
      const status = Effect.map(store.get(projectId, task.taskId), (t) => Option.getOrThrow(t).status)
      const seen: Array<string> = [yield* status]
      for (const step of ["1 second", "2 seconds"] as const) {
        yield* TestClock.adjust(step)
        seen.push(yield* status)
      }
      expect(seen).toEqual(["READY_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
      expect(Option.isNone(yield* store.get("f".repeat(32), task.taskId))).toBe(true)
    }))

  it.effect("durations per task, readyDuration, and failing tasks", () =>
    Effect.gen(function*() {
      const store = yield* TaskStore.makeMemory({ readyDuration: 0, failServers: ["bad"] })
      const unbind = yield* store.create({ projectId, operation: "disassociate", serverId: "bad" })
      expect(unbind.status).toBe("RUNNING_UNBIND")
      const slow = yield* store.create({ projectId, operation: "associate", serverId: "s", taskDuration: "1 minute" })
      const told = yield* store.create({ projectId, operation: "associate", serverId: "s" })
      expect(yield* store.fail(told.taskId, { code: "X.1", message: "no" })).toBe(true)
      expect(yield* store.fail("missing")).toBe(false)
      yield* TestClock.adjust("3 seconds")
      const byId = new Map((yield* store.list(projectId)).map((task) => [task.taskId, task]))
      expect(byId.get(unbind.taskId)).toMatchObject({ status: "FAILED_UNBIND", error: TaskStore.defaultTaskError })
      expect(byId.get(slow.taskId)?.status).toBe("RUNNING_RESET")
      expect(byId.get(told.taskId)).toMatchObject({ status: "FAILED_RESET", error: { code: "X.1" } })
      // A task that has succeeded stays succeeded.
      yield* TestClock.adjust("1 minute")
      expect(yield* store.fail(slow.taskId)).toBe(false)
    }))

  it.effect("running and failed lists page; deleting removes only failed tasks", () =>
    Effect.gen(function*() {
      const store = yield* TaskStore.makeMemory({ taskDuration: "10 seconds" })
      const tasks = yield* Effect.forEach(
        ["a", "b", "c", "d", "e"],
        (serverId) => store.create({ projectId, operation: "associate", serverId })
      )
      const page = yield* store.running(projectId, { limit: 2, offset: 1 })
      expect(page.total).toBe(5)
      expect(page.tasks.map((task) => task.serverId)).toEqual(["b", "c"])
      for (const task of tasks.slice(0, 3)) yield* store.fail(task.taskId)
      expect(yield* store.deleteFailed(projectId)).toBe(0) // not ended yet
      yield* TestClock.adjust("10 seconds")
      expect((yield* store.running(projectId, { limit: 10, offset: 0 })).total).toBe(0)
      expect((yield* store.failed(projectId, { limit: 10, offset: 0 })).total).toBe(3)
      expect(yield* store.deleteFailed(projectId, tasks[0].taskId)).toBe(1)
      expect(yield* store.deleteFailed(projectId, tasks[4].taskId)).toBe(0) // succeeded
      expect(yield* store.deleteFailed(projectId)).toBe(2)
      expect((yield* store.list()).map((task) => task.serverId)).toEqual(["d", "e"])
    }))

  it.effect("task ids are UUIDs drawn from the seed", () =>
    Effect.gen(function*() {
      const ids = (seed: number) =>
        Effect.flatMap(TaskStore.makeMemory({ seed }), (store) =>
          Effect.forEach([1, 2, 3], () =>
            Effect.map(store.create({ projectId, operation: "associate", serverId: "s" }), (task) =>
              task.taskId)))
      const first = yield* ids(1)
      expect(yield* ids(1)).toEqual(first)
      expect(yield* ids(2)).not.toEqual(first)
      for (const id of first) {
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      }
      expect(new Set(first).size).toBe(3)
    }))
})

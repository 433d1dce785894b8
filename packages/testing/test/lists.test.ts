import { KpsClient } from "@effect-kps/core"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, DateTime, Effect, Stream, TestClock } from "effect"

const ids = <A extends { readonly taskId: string }>(page: { readonly tasks: ReadonlyArray<A> }) =>
  page.tasks.map((task) => task.taskId)

const start = (serverId: string) => KpsClient.associateKeypair({ keypairName: "deploy", server: { id: serverId } })

describe("KpsTesting: the running and failed task lists follow the timelines", () => {
  it.effect("lists pending tasks as running and FAILED_ ones as failed, over time, page by page", () =>
    Effect.gen(function*() {
      // At 0: two scripted tasks and one started; at 2 s, two more started.
      yield* start("srv-1")
      yield* TestClock.adjust("2 seconds")
      yield* start("srv-2")
      yield* start("srv-3")

      const first = yield* KpsClient.listRunningTasks({ limit: 2, offset: 0 })
      const second = yield* KpsClient.listRunningTasks({ limit: 2, offset: 2 })
      const past = yield* KpsClient.listRunningTasks({ limit: 2, offset: 10 })
      expect([first.total, second.total, past.total]).toEqual([5, 5, 5])
      expect([...ids(first), ...ids(second)]).toEqual([
        "scripted-running",
        "scripted-failing",
        "stub-task-000001",
        "stub-task-000002"
      ])
      expect(past.tasks).toEqual([])
      expect((yield* KpsClient.listRunningTasks({ limit: 2, offset: 4 })).tasks.map((task) => task.serverId)).toEqual([
        "srv-3"
      ])
      expect((yield* KpsClient.listFailedTasks()).total).toBe(0)

      // At 5 s: the first started task has succeeded, the scripted one has failed.
      yield* TestClock.adjust("3 seconds")
      expect(ids(yield* KpsClient.listRunningTasks())).toEqual([
        "scripted-running",
        "stub-task-000002",
        "stub-task-000003"
      ])
      const failed = yield* KpsClient.listFailedTasks()
      expect(failed.total).toBe(1)
      expect(failed.tasks[0]).toMatchObject({
        taskId: "scripted-failing",
        operateType: "UNBIND",
        serverId: "srv-9",
        taskErrorCode: "KPS.2001",
        taskErrorMsg: "ssh refused"
      })

      // At 7 s: the batch's tasks are done too.
      yield* TestClock.adjust("2 seconds")
      expect(ids(yield* KpsClient.listRunningTasks())).toEqual(["scripted-running"])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        "scripted-running": [KpsTesting.status("RUNNING_REPLACE")],
        "scripted-failing": [
          KpsTesting.status("RUNNING_UNBIND", { for: "4 seconds" }),
          KpsTesting.task({
            status: "FAILED_UNBIND",
            serverId: "srv-9",
            error: { code: "KPS.2001", message: "ssh refused" }
          })
        ],
        "scripted-done": [KpsTesting.status("SUCCESS_RESET")]
      }
    }))))

  it.effect("lists started tasks with their operation, time, server and key pair", () =>
    Effect.gen(function*() {
      // A task's time is the Clock's, in epoch milliseconds.
      const at = Date.UTC(2026, 0, 1, 12, 0, 0)
      yield* TestClock.setTime(at)
      yield* start("srv-1")
      yield* KpsClient.disassociateKeypair({ server: { id: "srv-2" } })
      const { tasks } = yield* KpsClient.listRunningTasks()
      expect(tasks.map((task) => ({ ...task, taskTime: task.taskTime && DateTime.toEpochMillis(task.taskTime) })))
        .toEqual([
          {
            taskId: "stub-task-000001",
            operateType: "RESET",
            taskTime: at,
            serverName: "stub-server-srv-1",
            serverId: "srv-1",
            keypairName: "deploy"
          },
          {
            taskId: "stub-task-000002",
            operateType: "UNBIND",
            taskTime: at,
            serverName: "stub-server-srv-2",
            serverId: "srv-2",
            keypairName: ""
          }
        ])
      expect(tasks.map((task) => task.operation)).toEqual(["reset", "unbind"])
      // A failed task without an error of its own lists the default one.
      yield* KpsTesting.setTask("stub-task-000001", [KpsTesting.status("FAILED_RESET")])
      const [failed] = (yield* KpsClient.listFailedTasks()).tasks
      expect([failed.errorCode, failed.errorMessage]).toEqual([
        KpsTesting.defaultTaskError.code,
        KpsTesting.defaultTaskError.message
      ])
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))

  it.effect("the streams page lazily through every task, with limit and offset on the wire", () =>
    Effect.gen(function*() {
      for (const server of ["a", "b", "c", "d", "e"]) yield* start(`srv-${server}`)
      const all = yield* Stream.runCollect(KpsClient.runningTasks({ pageSize: 2 }))
      expect(Chunk.toReadonlyArray(all).map((task) => task.serverId)).toEqual([
        "srv-a",
        "srv-b",
        "srv-c",
        "srv-d",
        "srv-e"
      ])
      const pages = (yield* KpsTesting.requests).filter((request) => request.method === "GET")
      expect(pages.map((request) => new URL(request.url).search)).toEqual([
        "?limit=2&offset=0",
        "?limit=2&offset=2",
        "?limit=2&offset=4"
      ])
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))

  it.effect("looking at a list does not move a timeline that counts requests", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(KpsClient.getTask("t"))).toMatchObject({ status: 429 })
      // At 5 s the throttle has answered its one request; a list shows the task's status after it.
      yield* TestClock.adjust("5 seconds")
      expect(ids(yield* KpsClient.listRunningTasks())).toEqual(["t"])
      // The next request, at 8 s, starts the 10 seconds of RUNNING: the list did not.
      yield* TestClock.adjust("3 seconds")
      expect((yield* KpsClient.getTask("t")).taskStatus).toBe("RUNNING_RESET")
      yield* TestClock.adjust("9 seconds")
      expect((yield* KpsClient.getTask("t")).taskStatus).toBe("RUNNING_RESET")
      yield* TestClock.adjust("1 second")
      expect((yield* KpsClient.getTask("t")).taskStatus).toBe("SUCCESS_RESET")
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        t: [
          KpsTesting.throttled({ times: 1 }),
          KpsTesting.status("RUNNING_RESET", { for: "10 seconds" }),
          KpsTesting.status("SUCCESS_RESET")
        ]
      }
    }))))
})

describe("KpsTesting: deleting failed tasks", () => {
  const scenario: KpsTesting.Scenario = {
    tasks: {
      "failed-1": [KpsTesting.status("FAILED_RESET")],
      "failed-2": [KpsTesting.status("FAILED_UNBIND")],
      "failed-3": [KpsTesting.status("FAILED_RESET")],
      running: [KpsTesting.status("RUNNING_RESET")]
    }
  }

  it.effect("deletes one failed task: gone from the list, and getTask then answers 404 KPS.0001", () =>
    Effect.gen(function*() {
      yield* KpsClient.deleteFailedTask("failed-2")
      expect(ids(yield* KpsClient.listFailedTasks())).toEqual(["failed-1", "failed-3"])
      expect(yield* Effect.flip(KpsClient.getTask("failed-2"))).toMatchObject({ status: 404, errorCode: "KPS.0001" })
      // Deleted already, not failed, or unknown: KPS's 404.
      for (const taskId of ["failed-2", "running", "nobody"]) {
        expect(yield* Effect.flip(KpsClient.deleteFailedTask(taskId))).toMatchObject({
          _tag: "KpsApiError",
          status: 404,
          errorCode: "KPS.0001",
          errorMessage: `The task ${taskId} does not exist`
        })
      }
      expect((yield* KpsClient.getTask("running")).taskStatus).toBe("RUNNING_RESET")
      const deletes = (yield* KpsTesting.requests).filter((request) => request.method === "DELETE")
      expect(deletes.map((request) => request.url)).toEqual(
        ["failed-2", "failed-2", "running", "nobody"].map((taskId) =>
          `${KpsTesting.endpoint}/v3/${KpsTesting.projectId}/failed-tasks/${taskId}`
        )
      )
    }).pipe(Effect.provide(KpsTesting.layerClient(scenario))))

  it.effect("deletes every failed task, and no other", () =>
    Effect.gen(function*() {
      yield* KpsClient.deleteAllFailedTasks()
      expect(yield* KpsClient.listFailedTasks()).toEqual({ total: 0, tasks: [] })
      expect(ids(yield* KpsClient.listRunningTasks())).toEqual(["running"])
      // Nothing left to delete is no error.
      yield* KpsClient.deleteAllFailedTasks()
    }).pipe(Effect.provide(KpsTesting.layerClient(scenario))))
})

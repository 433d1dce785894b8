import { type KeypairAssociation, KpsClient } from "@effect-kps/core"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted, TestClock } from "effect"

const associate = (serverId: string, keypairName = "deploy-2026"): KeypairAssociation.AssociateRequest => ({
  keypairName,
  server: { id: serverId, auth: { type: "password", key: Redacted.make("root-password") }, port: 22 }
})

/**
 * Polls a task once a second until it leaves the pending statuses, as a waiter would (the polling
 * package builds on this package, so its waiter is not a dependency here): the statuses seen, and
 * the time it took. Bounded.
 */
const pollUntilDone = (taskId: string) =>
  Effect.gen(function*() {
    const seen: Array<string | undefined> = []
    for (let poll = 0; poll < 100; poll++) {
      const task = yield* KpsClient.getTask(taskId)
      seen.push(task.taskStatus)
      if (task.phase !== "pending") return seen
      yield* TestClock.adjust("1 second")
    }
    return yield* Effect.dieMessage(`task ${taskId} did not end within 100 polls`)
  })

describe("KpsTesting: tasks that requests start", () => {
  it.effect("associate then wait: the task goes READY, RUNNING, then SUCCESS on the TestClock", () =>
    Effect.gen(function*() {
      const started = yield* KpsClient.associateKeypair(associate("srv-1"))
      expect(started).toMatchObject({ taskId: "stub-task-000001", serverId: "srv-1" })
      const seen = yield* pollUntilDone(started.taskId)
      expect(seen).toEqual([
        "READY_RESET",
        "RUNNING_RESET",
        "RUNNING_RESET",
        "RUNNING_RESET",
        "RUNNING_RESET",
        "SUCCESS_RESET"
      ])
      const task = yield* KpsClient.getTask(started.taskId)
      expect(task.serverId).toBe("srv-1")
      expect(yield* KpsTesting.started).toEqual([{
        taskId: "stub-task-000001",
        operation: "associate",
        route: "associateKeypair",
        serverId: "srv-1",
        keypairName: "deploy-2026",
        at: 0
      }])
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))

  it.effect("disassociate starts an _UNBIND task with no key pair", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("10 seconds")
      const started = yield* KpsClient.disassociateKeypair({ server: { id: "srv-2" } })
      expect(yield* pollUntilDone(started.taskId)).toEqual([
        "READY_UNBIND",
        "RUNNING_UNBIND",
        "RUNNING_UNBIND",
        "RUNNING_UNBIND",
        "RUNNING_UNBIND",
        "SUCCESS_UNBIND"
      ])
      expect(yield* KpsTesting.started).toMatchObject([
        {
          operation: "disassociate",
          route: "disassociateKeypair",
          serverId: "srv-2",
          keypairName: undefined,
          at: 10_000
        }
      ])
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))

  it.effect("numbers started tasks in order, passing over ids the scenario scripts", () =>
    Effect.gen(function*() {
      const first = yield* KpsClient.associateKeypair(associate("srv-1"))
      const second = yield* KpsClient.associateKeypair(associate("srv-1"))
      expect([first.taskId, second.taskId]).toEqual(["stub-task-000001", "stub-task-000003"])
      // The scripted task kept its own timeline.
      expect((yield* KpsClient.getTask("stub-task-000002")).taskStatus).toBe("SUCCESS_BIND")
      const started = yield* KpsTesting.started
      expect(started.filter((task) => task.serverId === "srv-1").map((task) => task.taskId)).toEqual([
        "stub-task-000001",
        "stub-task-000003"
      ])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: { "stub-task-000002": [KpsTesting.status("SUCCESS_BIND")] }
    }))))

  it.effect("gives each started task the scenario's timeline for it", () =>
    Effect.gen(function*() {
      const good = yield* KpsClient.associateKeypair(associate("srv-good"))
      const broken = yield* KpsClient.associateKeypair(associate("srv-broken"))
      expect(yield* pollUntilDone(good.taskId)).toEqual(["RUNNING_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
      expect((yield* KpsClient.getTask(broken.taskId)).taskStatus).toBe("FAILED_RESET")
      const failed = yield* KpsClient.listFailedTasks()
      expect(failed.tasks.map((task) => [task.taskId, task.errorCode, task.errorMessage])).toEqual([
        [broken.taskId, "KPS.2001", "ssh refused"]
      ])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      timeline: (started) =>
        KpsTesting.lifecycle(started.operation, {
          ready: 0,
          running: "2 seconds",
          fail: started.serverId === "srv-broken" ? { code: "KPS.2001", message: "ssh refused" } : false
        })
    }))))

  it.effect("a task given a new timeline keeps its server", () =>
    Effect.gen(function*() {
      const started = yield* KpsClient.associateKeypair(associate("srv-1"))
      yield* KpsTesting.setTask(started.taskId, [KpsTesting.status("FAILED_RESET")])
      const task = yield* KpsClient.getTask(started.taskId)
      expect([task.taskStatus, task.serverId]).toEqual(["FAILED_RESET", "srv-1"])
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))

  it.effect("a pass step on a task's timeline: the task is not there yet", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(KpsClient.getTask("late"))).toMatchObject({ status: 404, errorCode: "KPS.0001" })
      expect((yield* KpsClient.listRunningTasks()).total).toBe(0)
      yield* TestClock.adjust("2 seconds")
      expect((yield* KpsClient.getTask("late")).taskStatus).toBe("RUNNING_BIND")
      expect((yield* KpsClient.listRunningTasks()).tasks.map((task) => task.taskId)).toEqual(["late"])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: { late: [KpsTesting.pass({ for: "2 seconds" }), KpsTesting.status("RUNNING_BIND")] }
    }))))
})

describe("KpsTesting: batches", () => {
  it.effect("starts a task per server but the refused one, which gets its own error", () =>
    Effect.gen(function*() {
      const results = yield* KpsClient.batchAssociateKeypairs([
        associate("srv-1"),
        associate("srv-stopped"),
        associate("srv-3", "other-key")
      ])
      expect(results.map(Either.isRight)).toEqual([true, false, true])
      expect(results[0]).toMatchObject({ right: { taskId: "stub-task-000001", serverId: "srv-1" } })
      expect(results[1]).toMatchObject({
        left: { _tag: "BatchItemError", serverId: "srv-stopped", errorCode: "KPS.2002", errorMessage: "server stopped" }
      })
      expect(results[2]).toMatchObject({ right: { taskId: "stub-task-000002", serverId: "srv-3" } })
      expect(yield* KpsTesting.started).toMatchObject([
        { taskId: "stub-task-000001", route: "batchAssociateKeypairs", serverId: "srv-1", keypairName: "deploy-2026" },
        { taskId: "stub-task-000002", route: "batchAssociateKeypairs", serverId: "srv-3", keypairName: "other-key" }
      ])
      // The batch's tasks follow timelines as single ones do.
      expect(yield* pollUntilDone("stub-task-000002")).toHaveLength(6)
      // What went on the wire: one request, every server, each key.
      const [request] = yield* KpsTesting.requests
      expect(request.method).toBe("POST")
      expect(JSON.parse(request.body).batch_keypairs.map((item: { server: { id: string } }) => item.server.id))
        .toEqual(["srv-1", "srv-stopped", "srv-3"])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      refuseServers: { "srv-stopped": { code: "KPS.2002", message: "server stopped" } }
    }))))

  it.effect("a single associate on a refused server is a 400 with its code, and starts nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.associateKeypair(associate("srv-stopped")))
      expect(error).toMatchObject({
        _tag: "KpsApiError",
        status: 400,
        errorCode: "KPS.2002",
        errorMessage: "server stopped"
      })
      const disassociated = yield* Effect.flip(KpsClient.disassociateKeypair({ server: { id: "srv-stopped" } }))
      expect(disassociated).toMatchObject({ status: 400, errorCode: "KPS.2002" })
      expect(yield* KpsTesting.started).toEqual([])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      refuseServers: { "srv-stopped": { code: "KPS.2002", message: "server stopped" } }
    }))))
})

import { Credentials, KpsClient } from "@effect-kps/core"
import { KpsEmulator } from "@effect-kps/emulator"
import { KpsNode } from "@effect-kps/node"
import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted, TestClock } from "effect"
import { associate, emulator, post, projectId } from "./fixtures/helpers.js"

const tokenClient = (endpoint: string, token = KpsEmulator.defaultToken) =>
  KpsNode.layer({ endpoint, projectId, credentials: Credentials.token(Redacted.make(token)) })

const accessKeyClient = (endpoint: string, secret = KpsEmulator.defaultSecretKey) =>
  KpsNode.layer({
    endpoint,
    projectId,
    credentials: Credentials.accessKey({
      accessKeyId: KpsEmulator.defaultAccessKey,
      secretAccessKey: Redacted.make(secret)
    })
  })

describe("the real client against the emulator", () => {
  it.scoped("a token client sees an associate task move READY → RUNNING → SUCCESS on the TestClock", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ taskDuration: "3 seconds" })
      const { task_id } = (yield* associate(url, "server-1")).json
      const status = Effect.map(KpsClient.getTask(task_id), (task) => task.taskStatus)
      const seen = yield* Effect.gen(function*() {
        const statuses: Array<string | undefined> = [yield* status]
        yield* TestClock.adjust("999 millis")
        statuses.push(yield* status)
        yield* TestClock.adjust("1 millis")
        statuses.push(yield* status)
        yield* TestClock.adjust("1999 millis")
        statuses.push(yield* status)
        yield* TestClock.adjust("1 millis")
        statuses.push(yield* status)
        return statuses
      }).pipe(Effect.provide(tokenClient(url)))
      expect(seen).toEqual(["READY_RESET", "READY_RESET", "RUNNING_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
    }))

  it.scoped("an AK/SK client signs with Signer and is verified; a disassociate ends SUCCESS_UNBIND", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ taskDuration: "1 second" })
      const { task_id } = (yield* post(`${url}/v3/${projectId}/keypairs/disassociate`, { server: { id: "s-9" } })).json
      const task = yield* KpsClient.getTask(task_id).pipe(Effect.provide(accessKeyClient(url)))
      expect(task.taskStatus).toBe("READY_UNBIND")
      expect(task.serverId).toBe("s-9")
      yield* TestClock.adjust("1 second")
      const done = yield* KpsClient.getTask(task_id).pipe(Effect.provide(accessKeyClient(url)))
      expect(done.taskStatus).toBe("SUCCESS_UNBIND")
    }))

  it.scoped("a wrong secret key or token fails with 401 APIG.0301 and a request id", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      const { task_id } = (yield* associate(url, "s-1")).json
      const signed = yield* Effect.flip(KpsClient.getTask(task_id).pipe(Effect.provide(accessKeyClient(url, "wrong"))))
      expect(signed).toMatchObject({ _tag: "KpsApiError", status: 401, errorCode: "APIG.0301" })
      expect(signed._tag === "KpsApiError" && signed.requestId).toMatch(/^[0-9a-f]{32}$/)
      expect(signed.message).not.toContain("wrong")
      const token = yield* Effect.flip(KpsClient.getTask(task_id).pipe(Effect.provide(tokenClient(url, "nope"))))
      expect(token).toMatchObject({ _tag: "KpsApiError", status: 401, errorCode: "APIG.0301" })
    }))

  it.scoped("TaskWaiter.waitForTask waits a task to SUCCESS_RESET on the TestClock", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ taskDuration: "20 seconds" })
      const { task_id } = (yield* associate(url, "server-1")).json
      const fiber = yield* TaskWaiter.waitForTask(task_id, {
        policy: WaitPolicy.fixed("2 seconds"),
        deadline: "1 minute"
      })
        .pipe(Effect.provide(tokenClient(url)), Effect.fork)
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(Exit.isSuccess(exit) && exit.value.taskStatus).toBe("SUCCESS_RESET")
    }))

  it.scoped("a task on a failing server makes the waiter fail with TaskFailed", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ taskDuration: "5 seconds", failServers: ["doomed"] })
      const { task_id } = (yield* associate(url, "doomed")).json
      const fiber = yield* TaskWaiter.waitForTask(task_id, {
        policy: WaitPolicy.fixed("1 second"),
        deadline: "1 minute"
      })
        .pipe(Effect.provide(tokenClient(url)), Effect.fork)
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(exit)
      expect(error._tag).toBe("TaskFailed")
      expect((error as TaskWaiter.TaskFailed).task.taskStatus).toBe("FAILED_RESET")
    }))

  it.scoped("an unknown task fails the client with 404 KPS.0001", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      const error = yield* Effect.flip(
        KpsClient.getTask("aee8d2fe-5484-4753-9177-5a38dc15546c").pipe(Effect.provide(tokenClient(url)))
      )
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 404, errorCode: "KPS.0001" })
    }))

  it.scoped("KpsEmulator.layer provides the emulator with its URL to a client built from it", () =>
    Effect.gen(function*() {
      const Client = Layer.unwrapEffect(Effect.map(KpsEmulator.KpsEmulator, (emulator) => tokenClient(emulator.url)))
      const Test = Client.pipe(Layer.provideMerge(KpsEmulator.layer({ taskDuration: "1 second" })))
      const task = yield* Effect.gen(function*() {
        const emulator = yield* KpsEmulator.KpsEmulator
        expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`)
        expect(emulator.port).toBeGreaterThan(0)
        const created = yield* emulator.store.create({ projectId, operation: "associate", serverId: "s-1" })
        return yield* KpsClient.getTask(created.taskId)
      }).pipe(Effect.provide(Test))
      expect(task.taskStatus).toBe("READY_RESET")
    }))
})

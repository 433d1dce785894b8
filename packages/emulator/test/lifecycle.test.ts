import { Credentials, KpsClient } from "@effect-kps/core"
import { KpsEmulator } from "@effect-kps/emulator"
import { KpsNode } from "@effect-kps/node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, type Layer, Redacted, Stream, TestClock } from "effect"
import { emulator, projectId } from "./fixtures/helpers.js"

const clients = {
  token: (endpoint: string) =>
    KpsNode.layer({ endpoint, projectId, credentials: Credentials.token(Redacted.make(KpsEmulator.defaultToken)) }),
  "AK/SK": (endpoint: string) =>
    KpsNode.layer({
      endpoint,
      projectId,
      credentials: Credentials.accessKey({
        accessKeyId: KpsEmulator.defaultAccessKey,
        secretAccessKey: Redacted.make(KpsEmulator.defaultSecretKey)
      })
    })
} satisfies Record<string, (endpoint: string) => Layer.Layer<KpsClient.KpsClient, unknown>>

const rootPassword = Redacted.make("correct horse battery staple")

describe.each(Object.entries(clients))("the task lifecycle against the emulator, %s credentials", (_, client) => {
  it.scoped("associate, disassociate and batch start tasks the emulator serves; lists and deletes agree", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({
        taskDuration: "10 seconds",
        failServers: ["doomed-1", "doomed-2"],
        refuseServers: ["refused-1"]
      })
      yield* Effect.gen(function*() {
        const bound = yield* KpsClient.associateKeypair({
          keypairName: "deploy",
          server: { id: "server-1", auth: { type: "password", key: rootPassword }, disablePassword: true, port: 2222 }
        })
        expect(bound.taskId).toMatch(/^[0-9a-f-]{36}$/)
        expect(bound.serverId).toBe("server-1")
        expect((yield* KpsClient.getTask(bound.taskId)).taskStatus).toBe("READY_RESET")

        const unbound = yield* KpsClient.disassociateKeypair({ server: { id: "server-2" } })
        expect((yield* KpsClient.getTask(unbound.taskId)).taskStatus).toBe("READY_UNBIND")

        const batch = yield* KpsClient.batchAssociateKeypairs([
          { keypairName: "deploy", server: { id: "doomed-1" } },
          { keypairName: "deploy", server: { id: "doomed-2", auth: { type: "keypair", key: rootPassword } } },
          { keypairName: "deploy", server: { id: "refused-1" } },
          { keypairName: "deploy", server: { id: "server-3" } }
        ])
        expect(batch.map((result) => Either.isRight(result) && result.right.serverId)).toEqual([
          "doomed-1",
          "doomed-2",
          false,
          "server-3"
        ])
        expect(Either.isLeft(batch[2]) && batch[2].left).toMatchObject({
          serverId: "refused-1",
          errorCode: "EMULATOR.0002"
        })
        const refused = yield* Effect.flip(KpsClient.disassociateKeypair({ server: { id: "refused-1" } }))
        expect(refused).toMatchObject({ _tag: "KpsApiError", status: 400, errorCode: "EMULATOR.0002" })

        const running = yield* KpsClient.listRunningTasks({ limit: 2, offset: 0 })
        expect(running.total).toBe(5)
        expect(running.tasks).toHaveLength(2)
        expect(running.tasks[0]).toMatchObject({
          taskId: bound.taskId,
          serverId: "server-1",
          keypairName: "deploy",
          operateType: "RESET",
          serverName: "emulated-server-server-1"
        })
        expect(running.tasks[0].operation).toBe("reset")
        expect(running.tasks[0].taskTime?.epochMillis).toBe(0)
        const streamed = yield* Stream.runCollect(KpsClient.runningTasks({ pageSize: 2 }))
        expect(Chunk.toReadonlyArray(streamed).map((task) => task.serverId)).toEqual([
          "server-1",
          "server-2",
          "doomed-1",
          "doomed-2",
          "server-3"
        ])

        yield* TestClock.adjust("10 seconds")
        expect((yield* KpsClient.listRunningTasks()).total).toBe(0)
        const failed = yield* KpsClient.listFailedTasks()
        expect(failed.tasks.map((task) => [task.serverId, task.errorCode, task.errorMessage !== ""])).toEqual([
          ["doomed-1", "EMULATOR.0001", true],
          ["doomed-2", "EMULATOR.0001", true]
        ])
        const [first, second] = failed.tasks
        yield* KpsClient.deleteFailedTask(first.taskId)
        const gone = yield* Effect.flip(KpsClient.deleteFailedTask(first.taskId))
        expect(gone).toMatchObject({ _tag: "KpsApiError", status: 404, errorCode: "KPS.0001" })
        expect(Chunk.toReadonlyArray(yield* Stream.runCollect(KpsClient.failedTasks())).map((task) => task.taskId))
          .toEqual([second.taskId])
        yield* KpsClient.deleteAllFailedTasks()
        expect(yield* KpsClient.listFailedTasks()).toEqual({ total: 0, tasks: [] })
      }).pipe(Effect.provide(client(url)))
    }))

  it.scoped("the emulator's 400 for a body it refuses is a KpsApiError that quotes no secret", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      // The emulator takes keys up to 8 KiB, the client up to 16 KiB: the server has the last word.
      const longKey = `secret-${"k".repeat(9000)}`
      const error = yield* Effect.flip(
        KpsClient.associateKeypair({
          keypairName: "deploy",
          server: { id: "s-1", auth: { type: "keypair", key: Redacted.make(longKey) } }
        }).pipe(Effect.provide(client(url)))
      )
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 400 })
      expect(JSON.stringify([error, error.message])).not.toContain("secret-kkkk")
      const missing = yield* Effect.flip(KpsClient.getTask("no-such-task").pipe(Effect.provide(client(url))))
      expect(missing).toMatchObject({ _tag: "KpsApiError", status: 404, errorCode: "KPS.0001" })
    }))
})

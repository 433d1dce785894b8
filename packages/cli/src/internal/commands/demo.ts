import * as Credentials from "@effect-kps/core/Credentials"
import * as KpsClient from "@effect-kps/core/KpsClient"
import * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import * as WaitPolicy from "@effect-kps/polling/WaitPolicy"
import * as Command from "@effect/cli/Command"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as DurationText from "../duration.js"
import * as Report from "../report.js"
import * as Watch from "../watch.js"

const keypairName = "demo-keypair"
const serverId = "0b5a5c0e-8f5b-4a8e-9d3b-6f1f2c7d9e01"

/**
 * `kps-task demo`: the whole story on one machine. Starts the emulator on a free loopback port,
 * associates a key pair with a server through it (`KpsClient.associateKeypair`, signed with the
 * emulator's default access key), waits on the task it answers with, prints the outcome.
 */
export const command = /* @__PURE__ */ Command.make("demo", {}, () =>
  Effect.gen(function*() {
    // The emulator, its HTTP server and the undici transport load when the demo runs, not on every
    // start of kps-task.
    const [KpsEmulator, KpsNode] = yield* Effect.promise(() =>
      Promise.all([import("@effect-kps/emulator/KpsEmulator"), import("@effect-kps/node/KpsNode")])
    )
    const emulator = yield* KpsEmulator.make({ port: 0 })
    yield* Console.log(`emulator listening on ${emulator.url}`)
    const client = KpsNode.layer({
      endpoint: emulator.url,
      projectId: KpsEmulator.defaultProjectId,
      credentials: Credentials.accessKey({
        accessKeyId: KpsEmulator.defaultAccessKey,
        secretAccessKey: Redacted.make(KpsEmulator.defaultSecretKey)
      })
    })
    yield* Effect.gen(function*() {
      yield* Console.log(`associating key pair ${keypairName} with server ${serverId} (signed with AK/SK)`)
      const started = yield* KpsClient.associateKeypair({ keypairName, server: { id: serverId } })
      yield* Console.log(`accepted: task ${started.taskId}; waiting for it`)
      const startedAt = yield* Clock.currentTimeMillis
      const [task] = yield* Watch.watch([started.taskId], {
        json: false,
        policy: WaitPolicy.fixed("250 millis"),
        notFoundGrace: TaskWaiter.startNotFoundGrace
      }).pipe(Effect.flatMap(Report.settle))
      yield* Console.log(
        `outcome: task ${task.taskId} ended ${task.taskStatus} after ${
          DurationText.format((yield* Clock.currentTimeMillis) - startedAt)
        }: key pair ${keypairName} is associated with server ${serverId}`
      )
    }).pipe(Effect.provide(client))
  }).pipe(Effect.scoped)).pipe(
    Command.withDescription(
      "Start the emulator, associate a key pair with a server through it, wait on the task, print the outcome"
    )
  )

import * as Credentials from "@effect-kps/core/Credentials"
import * as KpsEmulator from "@effect-kps/emulator/KpsEmulator"
import * as KpsNode from "@effect-kps/node/KpsNode"
import * as WaitPolicy from "@effect-kps/polling/WaitPolicy"
import * as Command from "@effect/cli/Command"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Associate from "../associate.js"
import * as DurationText from "../duration.js"
import * as Watch from "../watch.js"

const keypairName = "demo-keypair"
const serverId = "0b5a5c0e-8f5b-4a8e-9d3b-6f1f2c7d9e01"

/**
 * `kps-task demo`: the whole story on one machine. Starts the emulator on a free loopback port,
 * associates a key pair with a server through it (a signed `POST …/keypairs/associate`), waits on
 * the task it answers with, prints the outcome.
 */
export const command = /* @__PURE__ */ Command.make("demo", {}, () =>
  Effect.gen(function*() {
    const emulator = yield* KpsEmulator.make({ port: 0 })
    yield* Console.log(`emulator listening on ${emulator.url}`)
    const key = {
      accessKeyId: KpsEmulator.defaultAccessKey,
      secretAccessKey: Redacted.make(KpsEmulator.defaultSecretKey)
    }
    const projectId = KpsEmulator.defaultProjectId
    yield* Console.log(`associating key pair ${keypairName} with server ${serverId} (signed with AK/SK)`)
    const accepted = yield* Associate.associate({ endpoint: emulator.url, projectId, keypairName, serverId, key })
    yield* Console.log(`accepted: task ${accepted.taskId}; waiting for it`)
    const startedAt = yield* Clock.currentTimeMillis
    const task = yield* Watch.watch(accepted.taskId, {
      json: false,
      policy: WaitPolicy.fixed("250 millis"),
      deadline: undefined
    }).pipe(
      Effect.provide(KpsNode.layer({ endpoint: emulator.url, projectId, credentials: Credentials.accessKey(key) }))
    )
    yield* Console.log(
      `outcome: task ${task.taskId} ended ${task.taskStatus} after ${
        DurationText.format((yield* Clock.currentTimeMillis) - startedAt)
      }: ` +
        `key pair ${keypairName} is associated with server ${serverId}`
    )
  }).pipe(Effect.scoped, Effect.provide(KpsNode.layerHttpClient))).pipe(
    Command.withDescription(
      "Start the emulator, associate a key pair with a server through it, wait on the task, print the outcome"
    )
  )

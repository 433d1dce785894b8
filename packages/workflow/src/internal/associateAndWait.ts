import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsError from "@effect-kps/core/KpsError"
import * as TaskRef from "@effect-kps/core/TaskRef"
import * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import * as Activity from "@effect/workflow/Activity"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { AssociateAndWaitPayload, WaitError } from "../KpsWorkflow.js"
import { ServerCredentials } from "../ServerCredentials.js"
import * as WorkflowMetrics from "../WorkflowMetrics.js"
import * as RequestGate from "./requestGate.js"
import * as Durable from "./waitForTask.js"

type Payload = Schema.Schema.Type<typeof AssociateAndWaitPayload>

/**
 * A task of this server and key pair that KPS is still working on, if any. Each page is a request
 * that passes the gate: the stream asks for a page only once the one before is read, so leave
 * taken as a page is read is leave for the next one (the last page's goes unused).
 */
const runningBinding = (payload: Payload) =>
  Effect.flatMap(KpsClient.KpsClient, (client) =>
    Effect.zipRight(
      RequestGate.admit,
      client.runningTasks(payload.projectId === undefined ? {} : { projectId: payload.projectId }).pipe(
        Stream.mapChunksEffect((page) => Effect.as(RequestGate.admit, page)),
        Stream.filter((task) => task.serverId === payload.serverId && task.keypairName === payload.keypairName),
        Stream.runHead
      )
    ))

/** Sends the binding: the server's auth key comes from `ServerCredentials`, never from storage. */
const bind = (payload: Payload) =>
  Effect.flatMap(
    ServerCredentials,
    (authOf) =>
      Effect.flatMap(authOf(payload.serverId), (auth) =>
        RequestGate.admit.pipe(Effect.zipRight(KpsClient.associateKeypair(
          {
            keypairName: payload.keypairName,
            server: {
              id: payload.serverId,
              ...(auth === undefined ? {} : { auth }),
              ...(payload.disablePassword === undefined ? {} : { disablePassword: payload.disablePassword }),
              ...(payload.port === undefined ? {} : { port: payload.port })
            }
          },
          payload.projectId === undefined ? {} : { projectId: payload.projectId }
        ))))
  )

/** Takes a running task up instead of binding again. */
const adopt = (task: { readonly taskId: string; readonly serverId?: string | undefined }) =>
  Effect.as(
    Metric.increment(WorkflowMetrics.adopted),
    new TaskRef.TaskRef({ taskId: task.taskId, serverId: task.serverId })
  )

/**
 * Binds, or adopts the binding a run before this one may have started. `mayHaveRun`: the step was
 * recorded as begun but not as done, so a process that stopped may have sent it. A request that
 * failed without an answer (a transport error) may have reached KPS too.
 */
const bindOnce = (payload: Payload, mayHaveRun: boolean) => {
  const bindOrAdopt = Effect.flatMap(
    runningBinding(payload),
    Option.match({ onNone: () => bind(payload), onSome: adopt })
  )
  return mayHaveRun
    ? bindOrAdopt
    : Effect.catchIf(bind(payload), (error) => error._tag === "KpsTransportError", (error) =>
      Effect.flatMap(
        runningBinding(payload),
        Option.match({ onNone: () => Effect.fail(error), onSome: adopt })
      ))
}

/** The body of `KpsWorkflow.AssociateAndWait`. */
export const associateAndWait = (
  payload: Payload
): Effect.Effect<KeypairTask.KeypairTask, WaitError, KpsClient.KpsClient | Durable.EngineServices> =>
  Effect.gen(function*() {
    const engine = yield* Durable.engine
    // Recorded before the binding goes out: if this step is replayed but the binding is not, the
    // binding may have been sent by a process that stopped before recording it.
    let begun = false
    yield* Effect.provide(
      Activity.make({ name: "bind/begin", execute: Effect.sync(() => void (begun = true)) }),
      engine
    )
    const started = yield* Effect.provide(
      Activity.make({
        name: "bind",
        success: TaskRef.TaskRef,
        error: KpsError.KpsError,
        execute: bindOnce(payload, !begun)
      }),
      engine
    )
    return yield* Durable.wait(
      started.taskId,
      {
        ...Durable.waitOptions(payload),
        notFoundGrace: payload.notFoundGrace ?? TaskWaiter.startNotFoundGrace
      },
      engine
    )
  })

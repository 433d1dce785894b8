import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import * as KpsClient from "@effect-kps/core/KpsClient"
import { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as KpsWorkflow from "@effect-kps/workflow/KpsWorkflow"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RateLimiter from "effect/RateLimiter"
import * as Schema from "effect/Schema"
import * as Render from "./render.js"
import type * as Watch from "./watch.js"

/**
 * The requests of one process's durable waits share what KPS allows one user (about 20 a second),
 * as the waits of `kps-task wait` do.
 */
export const limited: Layer.Layer<KpsClient.KpsClient, never, KpsClient.KpsClient> = Layer.scoped(
  KpsClient.KpsClient,
  Effect.gen(function*() {
    const client = yield* KpsClient.KpsClient
    const limit = yield* RateLimiter.make({ limit: 20, interval: "1 second" })
    return { ...client, getTask: (taskId, options) => limit(client.getTask(taskId, options)) }
  })
)

const checkPayload = Schema.validate(KpsWorkflow.WaitForTaskPayload)

/** One line when a task's wait ends: its status, or (on stderr, later) why not. */
const printEnd = (json: boolean, taskId: string, task: KeypairTask.KeypairTask) =>
  Console.log(
    json
      ? JSON.stringify(Render.taskJson(task))
      : Render.forTask(taskId, `${task.taskStatus ?? "(no status)"} (${task.phase})`)
  )

/**
 * `kps-task wait … --store FILE` or `--postgres URL`: each task waited on by
 * `KpsWorkflow.WaitForTask` on `engine` (a `SqliteEngine` in the file, or the fleet's runners).
 * Run again after a stop (even `kill -9`), the same command takes the waits up where they were,
 * with the deadlines of the first run; a wait that had ended answers what it ended with, without a
 * request. `projectId`, when given, is stored with each wait, for the process that polls.
 */
export const wait = <E>(
  taskIds: ReadonlyArray<string>,
  options: Watch.Options,
  projectId: string | undefined,
  engine: Layer.Layer<WorkflowEngine.WorkflowEngine, E>
): Effect.Effect<ReadonlyArray<Watch.Outcome>, unknown> =>
  Effect.gen(function*() {
    const payloads = yield* Effect.forEach([...new Set(taskIds)], (taskId) =>
      Effect.mapError(
        checkPayload({
          taskId,
          ...(projectId === undefined ? {} : { projectId }),
          policy: options.policy,
          ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
          ...(options.notFoundGrace === undefined ? {} : { notFoundGrace: options.notFoundGrace })
        }),
        () => new KpsInvalidInput({ field: "taskId", description: `${Render.safe(taskId)} is not a task id` })
      ))
    return yield* Effect.forEach(payloads, (payload) =>
      KpsWorkflow.WaitForTask.execute(payload).pipe(
        // The payload was checked above: the wait has nothing left to refuse.
        Effect.catchTag("KpsInvalidInput", Effect.die),
        Effect.tap((task) => printEnd(options.json, payload.taskId, task)),
        Effect.either,
        Effect.map((result): Watch.Outcome => ({ taskId: payload.taskId, result }))
      ), { concurrency: "unbounded" })
  }).pipe(Effect.provide(engine))

/**
 * Durable waits on KPS tasks, as `@effect/workflow` workflows: a wait survives a restart of the
 * process that runs it (with the same deadline), and many processes share the waits without
 * waiting twice on one task.
 *
 * The engines: {@link layerMemory} here; the durable ones are modules of their own, imported by
 * their path (`@effect-kps/workflow/SqliteEngine` for one machine, `@effect-kps/workflow/PostgresEngine`
 * for many), since each loads its database driver, an optional peer dependency.
 *
 * @since 0.1.0
 */
import * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsError from "@effect-kps/core/KpsError"
import * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import * as WaitPolicy from "@effect-kps/polling/WaitPolicy"
import * as Workflow from "@effect/workflow/Workflow"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as associate from "./internal/associateAndWait.js"
import * as internal from "./internal/waitForTask.js"

/**
 * What a durable wait ends with when the task did not succeed: the task failed, the deadline
 * passed, or a request failed in a way retrying cannot mend. As a Schema, so that an engine can
 * store it and hand it back after a restart.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WaitError: Schema.Union<[
  typeof TaskWaiter.TaskFailed,
  typeof TaskWaiter.WaitTimeout,
  typeof KpsError.KpsError
]> = /* @__PURE__ */ Schema.Union(TaskWaiter.TaskFailed, TaskWaiter.WaitTimeout, KpsError.KpsError)

/**
 * @since 0.1.0
 * @category models
 */
export type WaitError = typeof WaitError.Type

/** How a durable wait waits, as the payloads store it. */
const waitFields = {
  projectId: /* @__PURE__ */ Schema.optional(Schema.NonEmptyTrimmedString),
  policy: /* @__PURE__ */ Schema.optional(WaitPolicy.WaitPolicySchema),
  deadline: /* @__PURE__ */ Schema.optional(Schema.Duration),
  notFoundGrace: /* @__PURE__ */ Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(0, 1_000))),
  onUnknownStatus: /* @__PURE__ */ Schema.optional(Schema.Literal("pending", "fail"))
}

/**
 * The task a durable wait waits on, and how: its id, its project when not the client's, the
 * `WaitPolicy` (cadence, deadline, retries) and a deadline that overrides the policy's, the
 * not-found grace and what to do with an unknown status (as `TaskWaiter.WaitOptions`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const WaitForTaskPayload = /* @__PURE__ */ Schema.Struct({
  taskId: Schema.NonEmptyTrimmedString,
  ...waitFields
})

/**
 * Waits until a task ends, durably: each poll is an `Activity` (named after its attempt, so a
 * replay reads the stored answer instead of asking again), each pause a `DurableClock` sleep, and
 * the deadline is fixed when the wait first starts and stored: a restart never extends it. Polls
 * follow the same policies, `Retry-After` handling and fail-fast rules as `TaskWaiter.waitForTask`,
 * which runs the same code. The task id is the idempotency key: executing it twice for one task
 * joins the one execution.
 *
 * Succeeds with the task in a `SUCCESS_*` status; fails with `TaskFailed`, `WaitTimeout` or a
 * `KpsError` that retrying cannot mend.
 *
 * @example
 * ```ts
 * import { KpsWorkflow } from "@effect-kps/workflow"
 * import { WaitPolicy } from "@effect-kps/polling"
 *
 * // Needs a WorkflowEngine with KpsWorkflow.layerWaitForTask registered, and a KpsClient.
 * const done = KpsWorkflow.WaitForTask.execute({
 *   taskId: "aee8d2fe-5484-4753-9177-5a38dc15546c",
 *   policy: WaitPolicy.terraform
 * })
 * ```
 *
 * @since 0.1.0
 * @category workflows
 */
export const WaitForTask: Workflow.Workflow<
  "kps/WaitForTask",
  typeof WaitForTaskPayload,
  typeof KeypairTask.KeypairTask,
  typeof WaitError
> = /* @__PURE__ */ Workflow.make({
  name: "kps/WaitForTask",
  payload: WaitForTaskPayload,
  success: KeypairTask.KeypairTask,
  error: WaitError,
  idempotencyKey: ({ taskId }) => taskId
})

/**
 * Registers {@link WaitForTask} with the `WorkflowEngine`: the executions this process runs poll
 * with the `KpsClient` the layer is given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWaitForTask: Layer.Layer<never, never, WorkflowEngine.WorkflowEngine | KpsClient.KpsClient> =
  /* @__PURE__ */ WaitForTask.toLayer(internal.waitForTask)

/**
 * A binding to make and wait on: the key pair, the server (its id, whether to turn password login
 * off, its SSH port; its login comes from `ServerCredentials` when the binding goes out, never from
 * storage), and how to wait, as for {@link WaitForTaskPayload}. `idempotencyKey` names the
 * binding; by default the project, server and key pair.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AssociateAndWaitPayload = /* @__PURE__ */ Schema.Struct({
  keypairName: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64)),
  serverId: Schema.NonEmptyTrimmedString,
  disablePassword: Schema.optional(Schema.Boolean),
  port: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(1, 65_535))),
  idempotencyKey: Schema.optional(Schema.NonEmptyTrimmedString),
  ...waitFields
})

/**
 * Binds a key pair on a server and waits until the binding ends, durably. The binding is a step of
 * its own, sent once: when a process stopped after the step began but before it was recorded
 * (or the request got no answer), the step first looks among KPS's running tasks for one of the
 * same server and key pair and adopts it instead of binding twice (`WorkflowMetrics.adopted`).
 * Then it waits as {@link WaitForTask} does, with a not-found grace for a task just started.
 *
 * What remains at least once: a binding that was sent, and whose task ended before the process
 * that took the step up looked, is not among the running tasks: it is sent again. Binding the key
 * pair a server already has is harmless in KPS (the task replaces it with itself).
 *
 * @example
 * ```ts
 * import { KpsWorkflow } from "@effect-kps/workflow"
 *
 * const bound = KpsWorkflow.AssociateAndWait.execute({
 *   keypairName: "deploy-2026",
 *   serverId: "0b5a5c0e-8f5b-4a8e-9d3b-6f1f2c7d9e01"
 * })
 * ```
 *
 * @since 0.1.0
 * @category workflows
 */
export const AssociateAndWait: Workflow.Workflow<
  "kps/AssociateAndWait",
  typeof AssociateAndWaitPayload,
  typeof KeypairTask.KeypairTask,
  typeof WaitError
> = /* @__PURE__ */ Workflow.make({
  name: "kps/AssociateAndWait",
  payload: AssociateAndWaitPayload,
  success: KeypairTask.KeypairTask,
  error: WaitError,
  idempotencyKey: (payload) =>
    payload.idempotencyKey ?? `${payload.projectId ?? ""}/${payload.serverId}/${payload.keypairName}`
})

/**
 * Registers {@link AssociateAndWait} with the `WorkflowEngine`: the bindings this process runs
 * are sent with the `KpsClient` the layer is given, the servers' logins read from
 * `ServerCredentials`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAssociateAndWait: Layer.Layer<never, never, WorkflowEngine.WorkflowEngine | KpsClient.KpsClient> =
  /* @__PURE__ */ AssociateAndWait.toLayer(associate.associateAndWait)

/**
 * Every workflow of this package, registered with the `WorkflowEngine` it is given: for an engine
 * you build yourself (the engine layers of this package carry it already).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, WorkflowEngine.WorkflowEngine | KpsClient.KpsClient> =
  /* @__PURE__ */ Layer.mergeAll(layerWaitForTask, layerAssociateAndWait)

/**
 * The in-memory engine with the waits registered: for tests on the `TestClock`, and for programs
 * whose waits need not outlive them. Nothing is stored: a restart starts over.
 *
 * @example
 * ```ts
 * import { KpsTesting } from "@effect-kps/testing"
 * import { KpsWorkflow } from "@effect-kps/workflow"
 * import { Effect, Layer } from "effect"
 *
 * const TestEngine = KpsWorkflow.layerMemory.pipe(
 *   Layer.provideMerge(KpsTesting.layerClient({ tasks: { "t-1": [KpsTesting.status("SUCCESS_RESET")] } }))
 * )
 * const done = Effect.provide(KpsWorkflow.WaitForTask.execute({ taskId: "t-1" }), TestEngine)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<WorkflowEngine.WorkflowEngine, never, KpsClient.KpsClient> = /* @__PURE__ */ Layer
  .provideMerge(layer, WorkflowEngine.layerMemory)

/**
 * The task an operation started: what `associateKeypair` and `disassociateKeypair` answer, and what
 * a waiter needs to wait on it.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A started task: its id, and the server it works on when the answer names one. Decoded from the
 * wire names `task_id` and `server_id` of a 202 answer; other fields are ignored.
 *
 * @example
 * ```ts
 * import { KpsClient, TaskRef } from "@effect-kps/core"
 * import { Effect, Redacted } from "effect"
 *
 * const started: Effect.Effect<TaskRef.TaskRef, unknown, KpsClient.KpsClient> = KpsClient.associateKeypair({
 *   keypairName: "deploy-2026",
 *   server: { id: "c3d5e1a0-0001", auth: { type: "password", key: Redacted.make("root password") } }
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class TaskRef extends /* @__PURE__ */ Schema.Class<TaskRef>("@effect-kps/core/TaskRef")({
  taskId: Schema.propertySignature(Schema.NonEmptyString).pipe(Schema.fromKey("task_id")),
  serverId: Schema.optionalWith(Schema.String, { nullable: true }).pipe(Schema.fromKey("server_id"))
}) {}

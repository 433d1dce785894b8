/**
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as TaskStatus from "./TaskStatus.js"

/**
 * A KPS task as `GET /v3/{project_id}/tasks/{task_id}` reports it. Decoded from the wire names
 * `task_id`, `task_status` and `server_id`; every other field is ignored, and `null` reads as absent.
 *
 * @example
 * ```ts
 * import { KeypairTask } from "@effect-kps/core"
 * import { Schema } from "effect"
 *
 * const task = Schema.decodeUnknownSync(KeypairTask.KeypairTask)({
 *   task_id: "aee8d2fe-5484-4753-9177-5a38dc15546c",
 *   task_status: "RUNNING_RESET"
 * })
 * task.phase // "pending"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class KeypairTask extends /* @__PURE__ */ Schema.Class<KeypairTask>("@effect-kps/core/KeypairTask")({
  taskId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("task_id")),
  taskStatus: Schema.optionalWith(TaskStatus.TaskStatus, { nullable: true }).pipe(Schema.fromKey("task_status")),
  serverId: Schema.optionalWith(Schema.String, { nullable: true }).pipe(Schema.fromKey("server_id"))
}) {
  /**
   * The phase of {@link taskStatus}: pending, succeeded, failed or unknown.
   *
   * @since 0.1.0
   */
  get phase(): TaskStatus.Phase {
    return TaskStatus.phase(this.taskStatus)
  }

  /**
   * The operation this task runs, read from its status.
   *
   * @since 0.1.0
   */
  get operation(): TaskStatus.Operation {
    return TaskStatus.operation(this.taskStatus)
  }

  /**
   * Whether the task has ended, successfully or not.
   *
   * @since 0.1.0
   */
  get isTerminal(): boolean {
    return TaskStatus.isTerminal(this.taskStatus)
  }
}

/**
 * Decodes a response body for the task that was asked for: when the body omits `task_id` (every
 * field is optional in the SDK models), the requested id stands in.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse =
  (requestedTaskId: string) => (body: unknown): Effect.Effect<KeypairTask, ParseResult.ParseError> =>
    Effect.map(decodeWire(body), (wire) =>
      // The wire struct checked every field: build the class without checking them again.
      new KeypairTask({
        taskId: wire.task_id ?? requestedTaskId,
        taskStatus: wire.task_status ?? undefined,
        serverId: wire.server_id ?? undefined
      }, true))

// The body as it comes over the wire: every field optional or null, others ignored. Decoding it
// and building the class directly is cheaper than decoding the class schema, whose key renames and
// null handling are transformations of their own; this runs on every call.
const Wire = /* @__PURE__ */ Schema.Struct({
  task_id: Schema.optional(Schema.NullOr(Schema.String)),
  task_status: Schema.optional(Schema.NullOr(TaskStatus.TaskStatus)),
  server_id: Schema.optional(Schema.NullOr(Schema.String))
})

const decodeWire = /* @__PURE__ */ Schema.decodeUnknown(Wire, { onExcessProperty: "ignore" })

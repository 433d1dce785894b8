/**
 * @since 0.1.0
 */
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
export class KeypairTask extends Schema.Class<KeypairTask>("@effect-kps/core/KeypairTask")({
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
export const decodeResponse = (requestedTaskId: string) => (body: unknown) =>
  decodeTask(
    isRecord(body) && (body.task_id ?? undefined) === undefined ? { ...body, task_id: requestedTaskId } : body
  )

const decodeTask = /* @__PURE__ */ Schema.decodeUnknown(KeypairTask, { onExcessProperty: "ignore" })

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

import * as KeypairTask from "@effect-kps/core/KeypairTask"
import * as Schema from "effect/Schema"

/** The task ended in a `FAILED_*` (or, when told to fail on them, an unknown) status. */
export class TaskFailed extends /* @__PURE__ */ Schema.TaggedError<TaskFailed>("@effect-kps/polling/TaskFailed")(
  "TaskFailed",
  { task: KeypairTask.KeypairTask }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Task ${this.task.taskId} ended as ${this.task.taskStatus ?? "(no status)"}`
  }
}

/** The deadline passed before the task ended. */
export class WaitTimeout extends /* @__PURE__ */ Schema.TaggedError<WaitTimeout>("@effect-kps/polling/WaitTimeout")(
  "WaitTimeout",
  {
    taskId: Schema.String,
    task: Schema.optional(KeypairTask.KeypairTask),
    attempts: Schema.Number,
    elapsed: Schema.DurationFromSelf
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const last = this.task?.taskStatus === undefined ? "" : `; last status ${this.task.taskStatus}`
    return `Task ${this.taskId} did not end within the deadline (${this.attempts} requests${last})`
  }
}

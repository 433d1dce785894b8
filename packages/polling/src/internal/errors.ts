import * as KeypairTask from "@effect-kps/core/KeypairTask"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Option from "effect/Option"
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
    elapsed: Schema.Duration
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

/** What a defect is, never what it says: its class name, or its type when it is no object. */
const nameOf = (defect: unknown): string => {
  if (defect === null) return "null"
  if (typeof defect !== "object" && typeof defect !== "function") return typeof defect
  try {
    const name: unknown = Object.getPrototypeOf(defect)?.constructor?.name
    return typeof name === "string" && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : typeof defect
  } catch {
    // A hostile Proxy: naming it must not die in turn.
    return typeof defect
  }
}

/**
 * A wait died (a defect: a bug in effect-kps, or code it ran threw, such as a `transformClient` or
 * an `onState`), so the task's outcome is unknown. Only the defect's class name is kept as data: its
 * text may hold anything, secrets included.
 */
export class WaitDefect extends /* @__PURE__ */ Schema.TaggedError<WaitDefect>("@effect-kps/polling/WaitDefect")(
  "WaitDefect",
  {
    taskId: Schema.String,
    /** The class name of what was thrown (`RangeError`, `TypeError`), or its type when it is no object. */
    defect: Schema.String
  }
) {
  /**
   * The `Cause` the wait died with, for debugging. Not enumerable, so it stays out of `toJSON`
   * and of what prints the error; absent from a decoded `WaitDefect`.
   *
   * @since 0.1.0
   */
  declare readonly died: Cause.Cause<unknown> | undefined

  /**
   * The `WaitDefect` of the wait on `taskId` that died with `cause`.
   *
   * @since 0.1.0
   */
  static fromCause(taskId: string, cause: Cause.Cause<unknown>): WaitDefect {
    const error = new WaitDefect({ taskId, defect: nameOf(Option.getOrUndefined(Chunk.head(Cause.defects(cause)))) })
    Object.defineProperty(error, "died", { value: cause, enumerable: false })
    return error
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The wait on task ${this.taskId} died of a ${this.defect} (a bug, in effect-kps or in code it ran)`
  }
}

/**
 * The tasks KPS lists: those still running (`GET /v3/{project_id}/running-tasks`) and those that
 * failed (`GET /v3/{project_id}/failed-tasks`), a page at a time.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TaskStatus from "./TaskStatus.js"

/**
 * A task's time as KPS sends it, an integer of epoch milliseconds, or a string of one or of a
 * date, read as a `DateTime.Utc`. Anything else reads as absent: a list is not
 * refused over one odd time.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TaskTime: Schema.Schema<DateTime.Utc | undefined, unknown> = /* @__PURE__ */ Schema.transform(
  Schema.Unknown,
  Schema.UndefinedOr(Schema.DateTimeUtcFromSelf),
  {
    strict: true,
    decode: (wire) => Option.getOrUndefined(readTime(wire)),
    encode: (time) => time === undefined ? undefined : DateTime.toEpochMillis(time)
  }
)

const readTime = (wire: unknown): Option.Option<DateTime.Utc> => {
  const epoch = typeof wire === "number"
    ? wire
    : typeof wire === "string" && /^\d{1,16}$/.test(wire.trim())
    ? Number(wire.trim())
    : undefined
  if (epoch !== undefined) {
    return Number.isFinite(epoch) ? DateTime.make(epoch) : Option.none()
  }
  return typeof wire === "string" && wire.length <= 64 ? DateTime.make(wire) : Option.none()
}

const OptionalText = /* @__PURE__ */ Schema.optionalWith(Schema.String, { nullable: true })

const listedFields = {
  taskId: /* @__PURE__ */ Schema.propertySignature(Schema.String).pipe(Schema.fromKey("task_id")),
  /** What the task does, as KPS names it (`RESET`, `REPLACE`, `UNBIND`, `BIND`, …): an open string. */
  operateType: /* @__PURE__ */ OptionalText.pipe(Schema.fromKey("operate_type")),
  taskTime: /* @__PURE__ */ Schema.optionalWith(TaskTime, { exact: true }).pipe(Schema.fromKey("task_time")),
  serverName: /* @__PURE__ */ OptionalText.pipe(Schema.fromKey("server_name")),
  serverId: /* @__PURE__ */ OptionalText.pipe(Schema.fromKey("server_id")),
  keypairName: /* @__PURE__ */ OptionalText.pipe(Schema.fromKey("keypair_name"))
}

/**
 * The operation of an `operate_type`, read as a status suffix is (`FAILED_REPLACE` and `REPLACE`
 * are both `"replace"`).
 */
const operationOf = (operateType: string | undefined): TaskStatus.Operation =>
  operateType === undefined ? "unknown" : TaskStatus.operation(`_${operateType.split("_").pop()}`)

/**
 * A task KPS is still working on, as `running-tasks` lists it. Decoded from the wire names
 * (`task_id`, `operate_type`, `task_time`, `server_name`, `server_id`, `keypair_name`); only
 * `task_id` is required, `null` reads as absent, other fields are ignored.
 *
 * @since 0.1.0
 * @category models
 */
export class RunningTask extends /* @__PURE__ */ Schema.Class<RunningTask>("@effect-kps/core/RunningTask")(
  listedFields
) {
  /**
   * The operation, read from {@link operateType}: reset, replace, unbind, bind or unknown.
   *
   * @since 0.1.0
   */
  get operation(): TaskStatus.Operation {
    return operationOf(this.operateType)
  }
}

/**
 * A task that failed, as `failed-tasks` lists it: a {@link RunningTask}'s fields and why it
 * failed (`task_error_code`, `task_error_msg`).
 *
 * @since 0.1.0
 * @category models
 */
export class FailedTask extends /* @__PURE__ */ Schema.Class<FailedTask>("@effect-kps/core/FailedTask")({
  ...listedFields,
  taskErrorCode: /* @__PURE__ */ OptionalText.pipe(Schema.fromKey("task_error_code")),
  taskErrorMsg: /* @__PURE__ */ OptionalText.pipe(Schema.fromKey("task_error_msg"))
}) {
  /**
   * The operation, read from {@link operateType}: reset, replace, unbind, bind or unknown.
   *
   * @since 0.1.0
   */
  get operation(): TaskStatus.Operation {
    return operationOf(this.operateType)
  }

  /**
   * Why the task failed: its `task_error_code` (empty when KPS gave none).
   *
   * @since 0.1.0
   */
  get errorCode(): string {
    return this.taskErrorCode ?? ""
  }

  /**
   * Why the task failed: its `task_error_msg` (empty when KPS gave none).
   *
   * @since 0.1.0
   */
  get errorMessage(): string {
    return this.taskErrorMsg ?? ""
  }
}

/**
 * Which page of a list to read: at most `limit` tasks (1 to 1000, default 100) after skipping
 * `offset` (default 0).
 *
 * @since 0.1.0
 * @category models
 */
export interface PageRequest {
  readonly limit?: number | undefined
  readonly offset?: number | undefined
}

/**
 * One page of a list: the tasks on it, and how many the whole list holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskPage<A> {
  readonly total: number
  readonly tasks: ReadonlyArray<A>
}

/**
 * The default and the largest page size.
 *
 * @since 0.1.0
 * @category constants
 */
export const pageLimits = { default: 100, max: 1000 } as const

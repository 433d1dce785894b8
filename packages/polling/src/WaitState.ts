/**
 * The resumable state of a wait: enough to continue it after a restart with the same deadline.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Where a wait stands: which task, when it started and must end (epoch milliseconds on the
 * `Clock`), how many requests it made, and the last status it read. Persist it (its encoded form
 * is plain JSON) from `onState`, and give it back as `resume` to continue the wait.
 *
 * @example
 * ```ts
 * import { TaskWaiter, WaitState } from "@effect-kps/polling"
 * import { Effect, Schema } from "effect"
 *
 * // Where you keep it: a file, a database row.
 * const save = (json: string) => Effect.log(`saved ${json}`)
 * const load = Effect.succeed(`{"taskId":"t-1","startedAt":0,"deadlineAt":1800000,"attempts":3}`)
 *
 * const first = TaskWaiter.waitForTask("t-1", {
 *   onState: (state) => save(JSON.stringify(Schema.encodeSync(WaitState.WaitState)(state)))
 * })
 * // After a restart: same deadline, attempts counted on.
 * const resumed = Effect.flatMap(load, (json) => TaskWaiter.waitForTask("t-1", { resume: JSON.parse(json) }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class WaitState extends /* @__PURE__ */ Schema.Class<WaitState>("@effect-kps/polling/WaitState")({
  taskId: Schema.NonEmptyString,
  startedAt: Schema.Number.pipe(Schema.finite()),
  deadlineAt: Schema.Number.pipe(Schema.finite()),
  attempts: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  lastStatus: Schema.optional(Schema.String)
}) {}

/**
 * Waiting on a KPS task: poll it until it ends, with a `Schedule`, one deadline, bounded retries
 * that honour `Retry-After`, and no polling on after an error that cannot heal.
 *
 * @since 0.1.0
 */
import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsClient from "@effect-kps/core/KpsClient"
import type * as KpsError from "@effect-kps/core/KpsError"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type { TaskFailed, WaitTimeout } from "./internal/errors.js"
import * as internal from "./internal/wait.js"
import type * as WaitPolicy from "./WaitPolicy.js"

/**
 * The task ended in a `FAILED_*` status (or, with `onUnknownStatus: "fail"`, in a status nobody
 * knows). Carries the task.
 *
 * @since 0.1.0
 * @category errors
 */
export { TaskFailed } from "./internal/errors.js"

/**
 * The deadline passed before the task ended. Carries the last task seen (if any poll answered),
 * how many requests were made, and how long the wait took.
 *
 * @since 0.1.0
 * @category errors
 */
export { WaitTimeout } from "./internal/errors.js"

/**
 * How to wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** A {@link WaitPolicy.WaitPolicy}, or any `Schedule` of the delays between polls. */
  readonly policy?: WaitPolicy.WaitPolicy | Schedule.Schedule<unknown, KeypairTask.KeypairTask | undefined> | undefined
  /** Ends the wait; overrides the policy's deadline. */
  readonly deadline?: Duration.DurationInput | undefined
  /** A status with no known prefix: wait on (`"pending"`, the default, warning once per value) or fail. */
  readonly onUnknownStatus?: "pending" | "fail" | undefined
  /** How many "not found" answers to take as "not there yet", right after submitting. Default 0. */
  readonly notFoundGrace?: number | undefined
}

/**
 * Waits until a task ends. Succeeds with the task in a `SUCCESS_*` status; fails with
 * {@link TaskFailed} on `FAILED_*`, with {@link WaitTimeout} when the deadline passes, and at once
 * with the `KpsError` of a request that cannot succeed by retrying (401, 403, 400, 404, …).
 * Throttled and transient failures are retried within the policy's retry budget, waiting at least
 * their `Retry-After`. Interrupting the wait stops it: no request is sent after.
 *
 * @example
 * ```ts
 * import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
 *
 * const done = TaskWaiter.waitForTask("aee8d2fe-5484-4753-9177-5a38dc15546c", {
 *   policy: WaitPolicy.terraform,
 *   deadline: "10 minutes"
 * })
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForTask: (
  taskId: string,
  options?: WaitOptions
) => Effect.Effect<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =
  internal.waitForTask

/**
 * Watches a task: a `Stream` of the task each time its status changes, the first observation
 * included, ending after the terminal one. A task that ends in `FAILED_*` is emitted, then the
 * stream ends; a wait that fails (the deadline, an error that cannot heal) fails the stream.
 * Polls exactly as {@link waitForTask} does, with the same options.
 *
 * @example
 * ```ts
 * import { TaskWaiter } from "@effect-kps/polling"
 * import { Effect, Stream } from "effect"
 *
 * const progress = TaskWaiter.watchTask("aee8d2fe-5484-4753-9177-5a38dc15546c").pipe(
 *   Stream.runForEach((task) => Effect.log(`${task.taskId}: ${task.taskStatus}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const watchTask: (
  taskId: string,
  options?: WaitOptions
) => Stream.Stream<KeypairTask.KeypairTask, WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> = internal.watchTask

/**
 * Waiting on a KPS task: poll it until it ends, with a `Schedule`, one deadline, bounded retries
 * that honour `Retry-After`, and no polling on after an error that cannot heal.
 *
 * @since 0.1.0
 */
import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsClient from "@effect-kps/core/KpsClient"
import type * as KpsError from "@effect-kps/core/KpsError"
import type * as TaskRef from "@effect-kps/core/TaskRef"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type { TaskFailed, WaitDefect, WaitTimeout } from "./internal/errors.js"
import * as many from "./internal/many.js"
import * as internal from "./internal/wait.js"
import type * as WaitPolicy from "./WaitPolicy.js"
import type * as WaitState from "./WaitState.js"

export {
  /**
   * The task ended in a `FAILED_*` status (or, with `onUnknownStatus: "fail"`, in a status nobody
   * knows). Carries the task.
   *
   * @since 0.1.0
   * @category errors
   */
  TaskFailed
} from "./internal/errors.js"

export {
  /**
   * The deadline passed before the task ended. Carries the last task seen (if any poll answered),
   * how many requests were made, and how long the wait took.
   *
   * @since 0.1.0
   * @category errors
   */
  WaitTimeout
} from "./internal/errors.js"

export {
  /**
   * A wait in {@link waitForTasks} died (a defect: a bug in effect-kps, or code it ran threw, such
   * as a `transformClient`, an `onState` or a `Schedule`), so that task's outcome is unknown; the
   * other tasks are waited on as usual. Carries the task id and the class name of the defect, never
   * its text (which may hold anything, secrets included); the `Cause` itself is the non-enumerable
   * `died`, kept out of `message`, `toJSON` and printing.
   *
   * @since 0.1.0
   * @category errors
   */
  WaitDefect
} from "./internal/errors.js"

/**
 * A request of a wait failed and will be tried again: what failed, how `KpsError.classify` sees
 * it, which request it was, and when the next try goes out.
 *
 * @since 0.1.0
 * @category models
 */
export interface Retry {
  readonly taskId: string
  /** The failure being retried. */
  readonly error: KpsError.KpsError
  /** Why it is retried: `throttled` (429, `APIG.0308`) or `transient` (408, 5xx, no answer). */
  readonly classification: "throttled" | "transient"
  /** The number of the request that failed, counted over the whole wait (as `WaitState.attempts`). */
  readonly attempt: number
  /** The retries the wait has left after this one. */
  readonly retriesLeft: number
  /** The time until the next try: the backoff, or the server's `Retry-After` when longer. */
  readonly delay: Duration.Duration
}

/**
 * How to wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** The project the task is in, when it is not the client's. */
  readonly projectId?: string | undefined
  /** A {@link WaitPolicy.WaitPolicy}, or any `Schedule` of the delays between polls. */
  readonly policy?: WaitPolicy.WaitPolicy | Schedule.Schedule<unknown, KeypairTask.KeypairTask | undefined> | undefined
  /** Ends the wait; overrides the policy's deadline. */
  readonly deadline?: Duration.DurationInput | undefined
  /** A status with no known prefix: wait on (`"pending"`, the default, warning once per value) or fail. */
  readonly onUnknownStatus?: "pending" | "fail" | undefined
  /** How many "not found" answers to take as "not there yet", right after submitting. Default 0. */
  readonly notFoundGrace?: number | undefined
  /**
   * Continues a wait from a saved {@link WaitState.WaitState} (or its encoded, JSON form): same
   * start and deadline, attempts counted on, the first poll at once. A state that does not decode,
   * or that is another task's, fails the wait with `KpsInvalidInput` before any request: a wait
   * never silently restarts.
   */
  readonly resume?: WaitState.WaitState | unknown
  /** Called with the state of the wait after every poll, to save it for `resume`. */
  readonly onState?: ((state: WaitState.WaitState) => Effect.Effect<void>) | undefined
  /**
   * Called each time a request failed and is about to be retried (throttled or transient, within
   * the retry budget), before the wait sleeps until the next try: to show an outage while it lasts.
   */
  readonly onRetry?: ((retry: Retry) => Effect.Effect<void>) | undefined
}

/**
 * Waits until a task ends. Succeeds with the task in a `SUCCESS_*` status; fails with
 * {@link TaskFailed} on `FAILED_*`, with {@link WaitTimeout} when the deadline passes, and at once
 * with the `KpsError` of a request that cannot succeed by retrying (401, 403, 400, 404, …).
 * Throttled and transient failures are retried within the policy's retry budget, waiting at least
 * their `Retry-After` (`onRetry` sees each retry). Interrupting the wait stops it: no request is
 * sent after. A defect (a bug, or code the wait runs that throws: a `transformClient`, `onState`)
 * stays a defect: the caller of one wait sees it whole; {@link waitForTasks} turns it into that
 * task's {@link WaitDefect}.
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
 * How many "not found" answers {@link startAndWait} takes as "not there yet" unless its options
 * say otherwise: the task was started a moment ago, and a read may not see it yet.
 *
 * @since 0.1.0
 * @category constants
 */
export const startNotFoundGrace: number = internal.startNotFoundGrace

/**
 * Starts a task and waits for it: runs `start` (an effect that answers a `TaskRef`, such as
 * `KpsClient.associateKeypair(...)`), then waits on the task it started as {@link waitForTask}
 * does, with the same options and outcomes (`notFoundGrace` defaults to
 * {@link startNotFoundGrace} here). `start` runs once: its failure is the result, never retried,
 * since a second start could start a second task; only the wait's polls are retried. One span,
 * `TaskWaiter.startAndWait`, covers both steps, with the wait's span under it.
 *
 * @example
 * ```ts
 * import { KpsClient } from "@effect-kps/core"
 * import { TaskWaiter } from "@effect-kps/polling"
 * import { Redacted } from "effect"
 *
 * const bound = TaskWaiter.startAndWait(
 *   KpsClient.associateKeypair({
 *     keypairName: "deploy-2026",
 *     server: { id: "c3d5e1a0-0001", auth: { type: "password", key: Redacted.make("root password") } }
 *   }),
 *   { deadline: "10 minutes" }
 * )
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const startAndWait: <E, R>(
  start: Effect.Effect<TaskRef.TaskRef, E, R>,
  options?: WaitOptions
) => Effect.Effect<
  KeypairTask.KeypairTask,
  E | TaskFailed | WaitTimeout | KpsError.KpsError,
  R | KpsClient.KpsClient
> = internal.startAndWait

/**
 * Watches a task: a `Stream` of the task each time its status changes, the first observation
 * included. A task that succeeds is emitted, then the stream ends. A task that ends in `FAILED_*`
 * is emitted too, then the stream fails with {@link TaskFailed}, as {@link waitForTask} does (to
 * end quietly instead, `Stream.catchTag("TaskFailed", () => Stream.empty)`); a wait that fails
 * otherwise (the deadline, an error that cannot heal) fails the stream with its error. Polls
 * exactly as {@link waitForTask} does, with the same options.
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
) => Stream.Stream<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =
  internal.watchTask

/**
 * Options of {@link waitForTasks}: those of {@link waitForTask} for each wait, and the limits the
 * waits share.
 *
 * @since 0.1.0
 * @category models
 */
export interface ManyOptions extends WaitOptions {
  /**
   * How many tasks are waited on at once: a whole number from 1, or `Infinity` for all of them.
   * Default 16. A task waited on costs a small record, not a fiber, so thousands are cheap; the
   * requests in flight are bounded by `rateLimit` too. Other values fail every task with
   * `KpsInvalidInput` (field `concurrency`), before any request.
   */
  readonly concurrency?: number | undefined
  /**
   * At most `limit` requests arrive in any `window`, bursts and retries included, across all the
   * waits, however long requests take to get there. Default 20 in 1 second: KPS allows about 20
   * requests a second per user. `limit` is a whole number from 1, `window` a finite duration; other
   * values fail every task with `KpsInvalidInput` (field `rateLimit`), before any request.
   */
  readonly rateLimit?: { readonly limit: number; readonly window: Duration.DurationInput } | undefined
}

/**
 * The outcome of one task in {@link waitForTasks}: the task that ended well, or why not (a
 * {@link WaitDefect} when the wait died).
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskOutcome {
  readonly taskId: string
  readonly result: Either.Either<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError | WaitDefect>
}

/**
 * Waits on many tasks at once: each id once (duplicates are polled once), a bounded number at a
 * time, all under one rate limit (by default never more than 20 requests arriving in any second,
 * bursts included: a request holds its share of the limit until its answer, and gives it back one
 * window later). The outcomes stream out in the order the tasks end, each with its own success or
 * failure; one task failing does not stop the others, and a wait that dies (a defect) ends as
 * that task's {@link WaitDefect}: the stream itself never fails.
 *
 * @example
 * ```ts
 * import { TaskWaiter } from "@effect-kps/polling"
 * import { Effect, Either, Stream } from "effect"
 *
 * const report = TaskWaiter.waitForTasks(["task-1", "task-2", "task-3"]).pipe(
 *   Stream.runForEach(({ result, taskId }) =>
 *     Effect.log(`${taskId}: ${Either.isRight(result) ? result.right.taskStatus : result.left._tag}`)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForTasks: (
  taskIds: Iterable<string>,
  options?: ManyOptions
) => Stream.Stream<TaskOutcome, never, KpsClient.KpsClient> = many.waitForTasks

/**
 * Who runs a wait's requests and sleeps. `TaskWaiter` runs them in this process's memory; an
 * engine that makes waits durable (`@effect-kps/workflow`) runs each request and sleep as a step it
 * records, and replays the recorded ones after a restart. The wait itself — cadence, deadline,
 * retries and `Retry-After`, what fails at once — is the same code either way.
 *
 * @since 0.1.0
 */
import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsClient from "@effect-kps/core/KpsClient"
import type * as KpsError from "@effect-kps/core/KpsError"
import type * as Effect from "effect/Effect"
import type { TaskFailed, WaitTimeout } from "./internal/errors.js"
import * as internal from "./internal/wait.js"
import type { WaitOptions } from "./TaskWaiter.js"
import type * as WaitState from "./WaitState.js"

/**
 * How a wait's steps run. Each is handed the effect that does the step and must run it (once, or
 * not at all when a recorded result stands in for it) with the same outcome.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitDriver {
  /**
   * Fixes where the wait starts: `fresh` reads the clock (started now, the deadline after the
   * wait's deadline, no request yet). A durable driver records its result the first time and
   * answers the recorded one ever after, so that a restart never moves the deadline.
   */
  readonly start: (fresh: Effect.Effect<WaitState.WaitState>) => Effect.Effect<WaitState.WaitState>
  /** Sends the wait's `attempt`-th request (counted from 1 over the whole wait, retries included). */
  readonly request: (
    attempt: number,
    request: Effect.Effect<KeypairTask.KeypairTask, KpsError.KpsError>
  ) => Effect.Effect<KeypairTask.KeypairTask, KpsError.KpsError>
  /** Sleeps until `wakeAt` (epoch milliseconds on the `Clock`), before the `attempt`-th request. */
  readonly sleep: (attempt: number, wakeAt: number) => Effect.Effect<void>
}

/**
 * The driver `TaskWaiter` uses: each step runs as it is, now.
 *
 * @since 0.1.0
 * @category drivers
 */
export const inMemory: WaitDriver = internal.inMemory

/**
 * Waits until a task ends as `TaskWaiter.waitForTask` does, with the same options and outcomes,
 * its steps run by `driver`. A `resume` option wins over the driver's `start`.
 *
 * @example
 * ```ts
 * import { WaitDriver } from "@effect-kps/polling"
 * import { Effect } from "effect"
 *
 * // Logs each request before it goes out.
 * const logged: WaitDriver.WaitDriver = {
 *   ...WaitDriver.inMemory,
 *   request: (attempt, request) => Effect.zipRight(Effect.logDebug(`request ${attempt}`), request)
 * }
 * const done = WaitDriver.waitForTask("aee8d2fe-5484-4753-9177-5a38dc15546c", {}, logged)
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitForTask: (
  taskId: string,
  options: WaitOptions,
  driver: WaitDriver
) => Effect.Effect<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =
  internal.waitForTaskDriven

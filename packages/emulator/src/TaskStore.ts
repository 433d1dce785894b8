/**
 * Where the emulator keeps its tasks: an interface, and an in-memory implementation whose task
 * statuses follow Effect's `Clock` (so `TestClock` moves them).
 *
 * A task is `READY_*` for its first `readyDuration`, then `RUNNING_*` until `taskDuration` has
 * passed since it was created, then `SUCCESS_*` or, when it was told to fail, `FAILED_*`. The
 * suffix follows the operation: `_RESET` for associate (bind, replace or reset a key pair), and
 * `_UNBIND` for disassociate.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { Faults } from "./Faults.js"
import * as internal from "./internal/tasks.js"

/**
 * What created a task: `associate` (bind, replace or reset a key pair) or `disassociate` (unbind).
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "associate" | "disassociate"

/**
 * Where a task is in its life.
 *
 * @since 0.1.0
 * @category models
 */
export type Phase = "ready" | "running" | "succeeded" | "failed"

/**
 * The `task_status` names the emulator uses, per operation and phase: `READY_RESET`,
 * `RUNNING_RESET`, `SUCCESS_RESET`, `FAILED_RESET` for associate, and `READY_UNBIND`,
 * `RUNNING_UNBIND`, `SUCCESS_UNBIND`, `FAILED_UNBIND` for disassociate (all of them values of the
 * SDK's enumeration).
 *
 * @example
 * ```ts
 * import { TaskStore } from "@effect-kps/emulator"
 *
 * TaskStore.statusNames.associate.running // "RUNNING_RESET"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const statusNames: {
  readonly [O in Operation]: { readonly [P in Phase]: string }
} = internal.statusNames

/**
 * The `operate_type` of each operation in the running and failed task lists.
 *
 * @since 0.1.0
 * @category constants
 */
export const operateTypes: { readonly [O in Operation]: string } = internal.operateTypes

/**
 * Why a failed task failed: its `task_error_code` and `task_error_msg`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskError {
  readonly code: string
  readonly message: string
}

/**
 * A task as it is at the moment it was read: `status` and `phase` follow the `Clock`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Task {
  readonly taskId: string
  readonly projectId: string
  readonly operation: Operation
  readonly serverId: string
  readonly serverName: string
  readonly keypairName: string | undefined
  /** When it was created, in epoch milliseconds on the `Clock`. */
  readonly createdAt: number
  readonly status: string
  readonly phase: Phase
  /** Set when the task failed (or is bound to). */
  readonly error: TaskError | undefined
}

/**
 * What creates a task. Without durations, the store's defaults apply; with `fail`, the task ends
 * `FAILED_*` with that error (or a default one when `true`).
 *
 * @since 0.1.0
 * @category models
 */
export interface NewTask {
  readonly projectId: string
  readonly operation: Operation
  readonly serverId: string
  readonly serverName?: string | undefined
  readonly keypairName?: string | undefined
  readonly taskDuration?: Duration.DurationInput | undefined
  readonly readyDuration?: Duration.DurationInput | undefined
  readonly fail?: boolean | TaskError | undefined
}

/**
 * One page of a task list, and how many tasks the whole list holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page {
  readonly total: number
  readonly tasks: ReadonlyArray<Task>
}

/**
 * Which page of a list: skip `offset` tasks, take at most `limit`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageRequest {
  readonly limit: number
  readonly offset: number
}

/**
 * The emulator's task state. Lists come in creation order; tasks are scoped by project.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskStore {
  /** Creates a task, timed from now. */
  readonly create: (task: NewTask) => Effect.Effect<Task>
  /** One task of a project, as it is now. */
  readonly get: (projectId: string, taskId: string) => Effect.Effect<Option.Option<Task>>
  /** Every task (of one project, when given), as they are now. */
  readonly list: (projectId?: string) => Effect.Effect<ReadonlyArray<Task>>
  /** The tasks of a project that have not ended (`READY_*` and `RUNNING_*`). */
  readonly running: (projectId: string, page: PageRequest) => Effect.Effect<Page>
  /** The tasks of a project that ended `FAILED_*` and were not deleted. */
  readonly failed: (projectId: string, page: PageRequest) => Effect.Effect<Page>
  /**
   * Deletes one failed task of a project, or all of them without `taskId`; answers how many were
   * deleted (a task that exists but has not failed is not deleted).
   */
  readonly deleteFailed: (projectId: string, taskId?: string) => Effect.Effect<number>
  /**
   * Makes a task end `FAILED_*` (with this error, or a default one) instead of `SUCCESS_*`; `false`
   * when there is no such task or it has already succeeded.
   */
  readonly fail: (taskId: string, error?: TaskError) => Effect.Effect<boolean>
  /** Sets (or, with `undefined`, clears) the faults of the requests that name this task id. */
  readonly setFaults: (taskId: string, faults: Faults | undefined) => Effect.Effect<void>
  /** The faults set for a task id. */
  readonly faultsFor: (taskId: string) => Effect.Effect<Faults | undefined>
}

/**
 * How an in-memory store times and ends its tasks.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryOptions {
  /** From creation to `SUCCESS_*`/`FAILED_*`. Default 3 seconds. */
  readonly taskDuration?: Duration.DurationInput | undefined
  /** How long a task stays `READY_*` before `RUNNING_*`. Default a third of `taskDuration`. */
  readonly readyDuration?: Duration.DurationInput | undefined
  /** Server ids whose tasks end `FAILED_*`. */
  readonly failServers?: ReadonlyArray<string> | undefined
  /** Task ids are drawn from a generator with this seed. Default 0. */
  readonly seed?: number | undefined
}

/**
 * The error of a task that fails without one of its own.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTaskError: TaskError = internal.defaultTaskError

/**
 * Makes an in-memory store. Statuses are computed from the `Clock` each time a task is read.
 *
 * @example
 * ```ts
 * import { TaskStore } from "@effect-kps/emulator"
 * import { Effect, TestClock, TestContext } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* TaskStore.makeMemory({ taskDuration: "3 seconds" })
 *   const task = yield* store.create({ projectId: "0123456789abcdef0123456789abcdef", operation: "associate", serverId: "s-1" })
 *   yield* TestClock.adjust("3 seconds")
 *   return yield* store.get(task.projectId, task.taskId) // Some({ status: "SUCCESS_RESET", ... })
 * }).pipe(Effect.provide(TestContext.TestContext))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: (options?: MemoryOptions) => Effect.Effect<TaskStore> = internal.makeMemory

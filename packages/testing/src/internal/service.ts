/** The stub's control service: the requests it received, the tasks they started, and tasks added later. */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { RecordedRequest, StartedTask, Timeline } from "./models.js"

/**
 * Reads and steers a running stub.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The requests received so far, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** The tasks associate, disassociate and batch requests started so far, oldest first. */
  readonly started: Effect.Effect<ReadonlyArray<StartedTask>>
  /**
   * Adds (or replaces) a task whose timeline starts now. A started task given a new timeline
   * keeps its server, key pair and `task_time`.
   */
  readonly setTask: (taskId: string, timeline: Timeline) => Effect.Effect<void>
}

/**
 * The stub's control service, provided beside its `HttpClient`.
 *
 * @since 0.1.0
 * @category tags
 */
export class KpsTesting extends Context.Tag("@effect-kps/testing/KpsTesting")<KpsTesting, Service>() {}

/**
 * The requests the stub in context received, oldest first.
 *
 * @since 0.1.0
 * @category accessors
 */
export const requests: Effect.Effect<ReadonlyArray<RecordedRequest>, never, KpsTesting> = Effect.flatMap(
  KpsTesting,
  (stub) => stub.requests
)

/**
 * The tasks the stub in context started (for associate, disassociate and batch requests), oldest
 * first: to assert which servers got a task, and to follow one.
 *
 * @example
 * ```ts
 * import { KpsTesting } from "@effect-kps/testing"
 * import { Effect } from "effect"
 *
 * const taskIdsOfServer = (serverId: string) =>
 *   Effect.map(KpsTesting.started, (tasks) => tasks.filter((task) => task.serverId === serverId).map((task) => task.taskId))
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const started: Effect.Effect<ReadonlyArray<StartedTask>, never, KpsTesting> = Effect.flatMap(
  KpsTesting,
  (stub) => stub.started
)

/**
 * Adds (or replaces) a task in the stub in context; its timeline starts now.
 *
 * @since 0.1.0
 * @category accessors
 */
export const setTask = (taskId: string, timeline: Timeline): Effect.Effect<void, never, KpsTesting> =>
  Effect.flatMap(KpsTesting, (stub) => stub.setTask(taskId, timeline))

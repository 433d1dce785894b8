/** The stub's control service: the requests it received, and tasks added later. */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { RecordedRequest, Timeline } from "./models.js"

/**
 * Reads and steers a running stub.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The requests received so far, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** Adds (or replaces) a task whose timeline starts now. */
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
 * Adds (or replaces) a task in the stub in context; its timeline starts now.
 *
 * @since 0.1.0
 * @category accessors
 */
export const setTask = (taskId: string, timeline: Timeline): Effect.Effect<void, never, KpsTesting> =>
  Effect.flatMap(KpsTesting, (stub) => stub.setTask(taskId, timeline))

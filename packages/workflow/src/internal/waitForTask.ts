import * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsError from "@effect-kps/core/KpsError"
import type * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import * as WaitDriver from "@effect-kps/polling/WaitDriver"
import * as WaitState from "@effect-kps/polling/WaitState"
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Schema from "effect/Schema"
import type { WaitError, WaitForTaskPayload } from "../KpsWorkflow.js"
import * as WorkflowMetrics from "../WorkflowMetrics.js"
import * as RequestGate from "./requestGate.js"

/** What a workflow's body runs with. */
export type EngineServices = WorkflowEngine.WorkflowEngine | WorkflowEngine.WorkflowInstance

type Engine = Context.Context<EngineServices>

/** The wait's options, from what the workflow stored. */
export const waitOptions = (
  payload: Omit<Schema.Schema.Type<typeof WaitForTaskPayload>, "taskId">
): TaskWaiter.WaitOptions => ({
  projectId: payload.projectId,
  policy: payload.policy,
  deadline: payload.deadline,
  notFoundGrace: payload.notFoundGrace,
  onUnknownStatus: payload.onUnknownStatus
})

/**
 * Each step of the wait as a step the engine records: the start (and so the deadline), every
 * request under its attempt's name, every pause as a `DurableClock` sleep.
 */
const durable = (engine: Engine): WaitDriver.WaitDriver => ({
  start: (fresh) => {
    let started = false
    const recorded = Activity.make({
      name: "start",
      success: WaitState.WaitState,
      execute: Effect.tap(fresh, () => {
        started = true
      })
    })
    return Effect.provide(recorded, engine).pipe(
      Effect.tap(() => Metric.increment(started ? WorkflowMetrics.started : WorkflowMetrics.resumed))
    )
  },
  request: (attempt, request) =>
    Effect.provide(
      Activity.make({
        name: `poll/${attempt}`,
        success: KeypairTask.KeypairTask,
        error: KpsError.KpsError,
        // Inside the step: a replay reads the stored answer without asking the fleet's gate.
        execute: Effect.zipRight(RequestGate.admit, request)
      }),
      engine
    ),
  sleep: (attempt, wakeAt) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.provide(
        DurableClock.sleep({ name: `before-poll/${attempt}`, duration: Math.max(0, wakeAt - now) }),
        engine
      ))
})

/** The engine's services, for the steps to record themselves. */
export const engine: Effect.Effect<Engine, never, EngineServices> = Effect.context<EngineServices>()

/** Waits durably on a task, each step recorded with `engine`. */
export const wait = (
  taskId: string,
  options: TaskWaiter.WaitOptions,
  engine: Engine
): Effect.Effect<KeypairTask.KeypairTask, WaitError, KpsClient.KpsClient> =>
  WaitDriver.waitForTask(taskId, options, durable(engine))

/** The body of `KpsWorkflow.WaitForTask`. */
export const waitForTask = (payload: Schema.Schema.Type<typeof WaitForTaskPayload>) =>
  Effect.flatMap(engine, (engine) => wait(payload.taskId, waitOptions(payload), engine))

/**
 * A deterministic stub `HttpClient` that answers like KPS, for tests: no sockets, each task a
 * scripted timeline of statuses and faults read from Effect's `Clock`, so `TestClock.adjust` moves
 * tasks forward.
 *
 * Besides `GET` of a task, it serves the whole task lifecycle as KPS does: associate,
 * disassociate and batch requests start tasks (ids `stub-task-000001`, …) that follow a timeline
 * of their own, the running and failed task lists follow every task's timeline, and failed tasks
 * can be deleted. Any route can be scripted as a whole with the same steps (a 503, a hang, …).
 *
 * Its parts live in one module each: the models (replies, steps, timelines, scenarios), the step
 * constructors, the lifecycle of started tasks, the control service, the layers, and the clock
 * driver (`runToEnd`).
 *
 * @since 0.1.0
 */

/**
 * What the stub is scripted with: `Reply` (what one step answers), `Step` and `StepOptions` (a
 * reply and how long it lasts), `Timeline` (one task's or route's steps), `Scenario` (every
 * task's timeline, the timeline of started tasks, refused servers, scripted routes, the
 * credentials to demand, the projects to list), `Route` (the routes, named after the `KpsClient`
 * methods), `Operation`, `StartedTask` (a task a request started), `TaskError` (why a task
 * failed) and `RecordedRequest` (a request received, body included).
 *
 * @since 0.1.0
 * @category models
 */
export type {
  Operation,
  RecordedRequest,
  Reply,
  Route,
  Scenario,
  StartedTask,
  Step,
  StepOptions,
  TaskError,
  Timeline
} from "./internal/models.js"

/**
 * The steps of a timeline: `status` and `task` (200 with a task), `apiError` and `throttled`
 * (Huawei error bodies), `raw` and `html` (any body), `transportError` (no answer), `hang`
 * (no answer until interrupted), and `pass` (what the route does unscripted).
 *
 * @since 0.1.0
 * @category steps
 */
export { apiError, hang, html, pass, raw, status, task, throttled, transportError } from "./internal/steps.js"

/**
 * The life of started tasks: `lifecycle(operation, options)` (the timeline a started task
 * follows by default: `READY_*`, `RUNNING_*`, then `SUCCESS_*` or `FAILED_*`), `operateTypes`
 * (the `operate_type` and status suffix of each operation) and `defaultTaskError` (what a failed
 * task lists when given no error).
 *
 * @since 0.1.0
 * @category timelines
 */
export { defaultTaskError, lifecycle, operateTypes } from "./internal/lifecycle.js"

/**
 * The stub's control service (`KpsTesting`, its `Service`) and its accessors: the `requests` it
 * received, the tasks requests `started`, and `setTask` to add a task whose timeline starts now.
 *
 * @since 0.1.0
 * @category tags
 */
export { KpsTesting, requests, type Service, setTask, started } from "./internal/service.js"

/**
 * The stub as layers: `layer` (its `HttpClient` and control service) and `layerClient` (with a
 * `KpsClient` on top, at `endpoint` and `projectId` unless told otherwise).
 *
 * @since 0.1.0
 * @category layers
 */
export { endpoint, layer, layerClient, projectId } from "./internal/layers.js"

/**
 * The clock driver: `runToEnd` moves the `TestClock` from one wake-up to the next until a fiber
 * ends.
 *
 * @since 0.1.0
 * @category clock
 */
export { runToEnd } from "./internal/clockDriver.js"

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

export type {
  /**
   * What a started task does: `associate` or `disassociate`.
   *
   * @since 0.1.0
   * @category models
   */
  Operation,
  /**
   * A request the stub received: method, URL, headers (tokens included: this is a test tool),
   * body, and when it arrived on the `Clock`.
   *
   * @since 0.1.0
   * @category models
   */
  RecordedRequest,
  /**
   * What one step answers: a task, an API error, any raw answer, a transport error, a hang, or
   * `Pass` (what the route does unscripted).
   *
   * @since 0.1.0
   * @category models
   */
  Reply,
  /**
   * The stub's routes, named after the `KpsClient` methods that call them.
   *
   * @since 0.1.0
   * @category models
   */
  Route,
  /**
   * The script of a stub: each task's timeline, the timeline of started tasks, refused servers,
   * scripted routes, the credentials to demand and the projects to list.
   *
   * @since 0.1.0
   * @category models
   */
  Scenario,
  /**
   * A task a request started: its id, operation, route, server, key pair name and start time.
   *
   * @since 0.1.0
   * @category models
   */
  StartedTask,
  /**
   * One step of a timeline: a reply, how long it lasts (`for`, `times`) and its `latency`.
   *
   * @since 0.1.0
   * @category models
   */
  Step,
  /**
   * How long a step lasts, and how slowly it answers.
   *
   * @since 0.1.0
   * @category models
   */
  StepOptions,
  /**
   * Why a failed task failed: its `task_error_code` and `task_error_msg`.
   *
   * @since 0.1.0
   * @category models
   */
  TaskError,
  /**
   * The steps one task, or one route, goes through.
   *
   * @since 0.1.0
   * @category models
   */
  Timeline
} from "./internal/models.js"

export {
  /**
   * A Huawei error body (`flat`, `nested` or `code`/`message` shape) with any status.
   *
   * @since 0.1.0
   * @category steps
   */
  apiError,
  /**
   * No answer until interrupted (a timeout, say).
   *
   * @since 0.1.0
   * @category steps
   */
  hang,
  /**
   * A gateway's HTML error page.
   *
   * @since 0.1.0
   * @category steps
   */
  html,
  /**
   * What the route does unscripted; on a task's timeline, the task is not there yet.
   *
   * @since 0.1.0
   * @category steps
   */
  pass,
  /**
   * Any status and any body, text or bytes.
   *
   * @since 0.1.0
   * @category steps
   */
  raw,
  /**
   * 200 with the task in this status (`undefined`: no `task_status`).
   *
   * @since 0.1.0
   * @category steps
   */
  status,
  /**
   * 200 with full control of the task's body: fields left out, extra fields, the listed error.
   *
   * @since 0.1.0
   * @category steps
   */
  task,
  /**
   * 429 `APIG.0308`, with `Retry-After` when given.
   *
   * @since 0.1.0
   * @category steps
   */
  throttled,
  /**
   * No answer: `ConnectionRefused`, `ConnectionReset` or `DnsLookup`.
   *
   * @since 0.1.0
   * @category steps
   */
  transportError
} from "./internal/steps.js"

export {
  /**
   * What a failed task lists when given no error.
   *
   * @since 0.1.0
   * @category timelines
   */
  defaultTaskError,
  /**
   * The timeline a started task follows by default: `READY_*`, `RUNNING_*`, then `SUCCESS_*` or
   * `FAILED_*`.
   *
   * @since 0.1.0
   * @category timelines
   */
  lifecycle,
  /**
   * The `operate_type` and status suffix of each operation.
   *
   * @since 0.1.0
   * @category timelines
   */
  operateTypes
} from "./internal/lifecycle.js"

export {
  /**
   * The stub's control service, provided beside its `HttpClient`.
   *
   * @since 0.1.0
   * @category tags
   */
  KpsTesting,
  /**
   * The requests the stub in context received, oldest first.
   *
   * @since 0.1.0
   * @category tags
   */
  requests,
  /**
   * Reads and steers a running stub.
   *
   * @since 0.1.0
   * @category tags
   */
  type Service,
  /**
   * Adds (or replaces) a task in the stub in context; its timeline starts now.
   *
   * @since 0.1.0
   * @category tags
   */
  setTask,
  /**
   * The tasks requests started in the stub in context, oldest first.
   *
   * @since 0.1.0
   * @category tags
   */
  started
} from "./internal/service.js"

export {
  /**
   * The endpoint `layerClient` uses unless told otherwise.
   *
   * @since 0.1.0
   * @category layers
   */
  endpoint,
  /**
   * The stub as an `HttpClient` layer, with its `KpsTesting` control service.
   *
   * @since 0.1.0
   * @category layers
   */
  layer,
  /**
   * The stub with a `KpsClient` on top.
   *
   * @since 0.1.0
   * @category layers
   */
  layerClient,
  /**
   * The project id `layerClient` uses unless told otherwise.
   *
   * @since 0.1.0
   * @category layers
   */
  projectId
} from "./internal/layers.js"

export {
  /**
   * Moves the `TestClock` from one wake-up to the next until a fiber ends.
   *
   * @since 0.1.0
   * @category clock
   */
  runToEnd
} from "./internal/clockDriver.js"

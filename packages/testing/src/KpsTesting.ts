/**
 * A deterministic stub `HttpClient` that answers like KPS, for tests: no sockets, each task a
 * scripted timeline of statuses and faults read from Effect's `Clock`, so `TestClock.adjust` moves
 * tasks forward.
 *
 * Its parts live in one module each: the models (replies, steps, timelines, scenarios), the step
 * constructors, the control service, the layers, and the clock driver (`runToEnd`).
 *
 * @since 0.1.0
 */

/**
 * What the stub is scripted with: `Reply` (what one step answers), `Step` and `StepOptions` (a
 * reply and how long it lasts), `Timeline` (one task's steps), `Scenario` (every task's timeline,
 * the credentials to demand, the projects to list), and `RecordedRequest` (a request received).
 *
 * @since 0.1.0
 * @category models
 */
export type { RecordedRequest, Reply, Scenario, Step, StepOptions, Timeline } from "./internal/models.js"

/**
 * The steps of a timeline: `status` and `task` (200 with a task), `apiError` and `throttled`
 * (Huawei error bodies), `raw` and `html` (any body), `transportError` (no answer) and `hang`
 * (no answer until interrupted).
 *
 * @since 0.1.0
 * @category steps
 */
export { apiError, hang, html, raw, status, task, throttled, transportError } from "./internal/steps.js"

/**
 * The stub's control service (`KpsTesting`, its `Service`) and its accessors: the `requests` it
 * received, and `setTask` to add a task whose timeline starts now.
 *
 * @since 0.1.0
 * @category tags
 */
export { KpsTesting, requests, type Service, setTask } from "./internal/service.js"

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

/** The stub's models: scripted replies, steps and timelines, scenarios, routes, started tasks, recorded requests. */
import type * as Duration from "effect/Duration"

/**
 * What one step of a timeline answers.
 *
 * @since 0.1.0
 * @category models
 */
export type Reply =
  | {
    readonly _tag: "Task"
    readonly status: string | undefined
    readonly serverId: string | undefined
    /** Wire fields left out of the body. */
    readonly omit: ReadonlyArray<"task_id" | "task_status" | "server_id">
    /** Extra wire fields added to the body. */
    readonly extra: Readonly<Record<string, unknown>>
    /**
     * Why the task failed, as `failed-tasks` lists it while this step is current (its
     * `task_error_code` and `task_error_msg`); `KpsTesting.defaultTaskError` when absent.
     */
    readonly error?: TaskError | undefined
  }
  | {
    readonly _tag: "ApiError"
    readonly status: number
    readonly errorCode: string
    readonly errorMessage: string
    /** `flat` `{error_code, error_msg}`, `nested` `{error: {...}}` or `code` `{code, message}`. */
    readonly shape: "flat" | "nested" | "code"
    readonly headers: Readonly<Record<string, string>>
  }
  | {
    readonly _tag: "Raw"
    readonly status: number
    readonly body: string | Uint8Array
    readonly headers: Readonly<Record<string, string>>
  }
  | { readonly _tag: "TransportError"; readonly reason: "ConnectionRefused" | "ConnectionReset" | "DnsLookup" }
  | { readonly _tag: "Hang" }
  /** What happens unscripted: the route does its work; a task is not there (yet). */
  | { readonly _tag: "Pass" }

/**
 * One step of a task's (or a route's) timeline: a reply, and how long it lasts. A step ends after `for` (time on
 * the `Clock`) or after answering `times` requests, whichever comes first; a step with neither, and
 * the last step, last forever.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step {
  readonly reply: Reply
  readonly for: Duration.Duration | undefined
  readonly times: number | undefined
  /** Time on the `Clock` before the answer arrives. */
  readonly latency: Duration.Duration | undefined
}

/**
 * How long a step lasts, and how slowly it answers.
 *
 * @since 0.1.0
 * @category models
 */
export interface StepOptions {
  readonly for?: Duration.DurationInput | undefined
  readonly times?: number | undefined
  readonly latency?: Duration.DurationInput | undefined
}

/**
 * The steps one task goes through, from the moment the stub starts (or the task is added).
 *
 * @since 0.1.0
 * @category models
 */
export type Timeline = ReadonlyArray<Step>

/**
 * Why a task failed: its `task_error_code` and `task_error_msg` in `failed-tasks`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskError {
  readonly code: string
  readonly message: string
}

/**
 * What started a task: `associate` (bind, replace or reset a key pair, statuses `*_RESET`,
 * `operate_type` `RESET`) or `disassociate` (unbind, `*_UNBIND`, `UNBIND`).
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "associate" | "disassociate"

/**
 * The stub's routes, each named after the `KpsClient` method that calls it:
 *
 * | route | request |
 * |---|---|
 * | `getTask` | `GET /v3/{project_id}/tasks/{task_id}` |
 * | `associateKeypair` | `POST /v3/{project_id}/keypairs/associate` |
 * | `disassociateKeypair` | `POST /v3/{project_id}/keypairs/disassociate` |
 * | `batchAssociateKeypairs` | `POST /v3/{project_id}/keypairs/batch-associate` |
 * | `listRunningTasks` | `GET /v3/{project_id}/running-tasks` (and the `runningTasks` stream) |
 * | `listFailedTasks` | `GET /v3/{project_id}/failed-tasks` (and the `failedTasks` stream) |
 * | `deleteFailedTask` | `DELETE /v3/{project_id}/failed-tasks/{task_id}` |
 * | `deleteAllFailedTasks` | `DELETE /v3/{project_id}/failed-tasks` |
 *
 * @since 0.1.0
 * @category models
 */
export type Route =
  | "getTask"
  | "associateKeypair"
  | "disassociateKeypair"
  | "batchAssociateKeypairs"
  | "listRunningTasks"
  | "listFailedTasks"
  | "deleteFailedTask"
  | "deleteAllFailedTasks"

/**
 * A task an associate, disassociate or batch request started: its id (`stub-task-000001`, …, in
 * the order they start), what started it, and when (milliseconds on the `Clock`: its `task_time`).
 *
 * @since 0.1.0
 * @category models
 */
export interface StartedTask {
  readonly taskId: string
  readonly operation: Operation
  readonly route: "associateKeypair" | "disassociateKeypair" | "batchAssociateKeypairs"
  readonly serverId: string
  /** The key pair of an associate; `undefined` for a disassociate. */
  readonly keypairName: string | undefined
  readonly at: number
}

/**
 * The script of a stub: each task id's timeline, what unknown task ids get, the timeline of the
 * tasks requests start, the servers KPS refuses, the routes scripted as a whole, and who may ask.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
  /** Each scripted task id's timeline, from the moment the stub starts. */
  readonly tasks?: Readonly<Record<string, Timeline>> | undefined
  /**
   * When given, requests must authenticate as the API gateway demands: an `X-Auth-Token` from
   * `tokens`, or an SDK-HMAC-SHA256 signature by one of `accessKeys` (access key id → secret),
   * verified with the core `Signer` (date within 15 minutes of the `Clock`). Anything else gets
   * 401 `APIG.0301`. These are the `Gateway` module's rules, which the emulator applies too.
   * Without it, any request is accepted.
   */
  readonly credentials?: {
    readonly tokens?: ReadonlyArray<string> | undefined
    readonly accessKeys?: Readonly<Record<string, string>> | undefined
  } | undefined
  /**
   * The projects IAM lists for `GET /v3/projects?name={region}`. Default: one project,
   * {@link projectId}, named after whatever region is asked for.
   */
  readonly projects?: ReadonlyArray<{ readonly id: string; readonly name: string }> | undefined
  /** Whether to keep every request for {@link requests}. Default `true`; load tests may turn it off. */
  readonly record?: boolean | undefined
  /**
   * The answer for a task id the scenario does not know. Default: the gateway's, as the emulator
   * gives it (`Gateway.unknownTask`): 404 `KPS.0001` "The task {task_id} does not exist".
   */
  readonly unknownTask?: Reply | undefined
  /**
   * The timeline of each task that an associate, disassociate or batch request starts, from the
   * moment it starts. Default: `KpsTesting.lifecycle` of its operation, `READY_*` for a second,
   * `RUNNING_*` for four, then `SUCCESS_*`.
   */
  readonly timeline?: ((task: StartedTask) => Timeline) | undefined
  /**
   * Servers KPS refuses to start a task on, with the error it gives: a batch answers that item
   * `{server_id, status: "failed", error_code, error_msg}` (the other items start), a single
   * associate or disassociate answers 400 with the code and message.
   */
  readonly refuseServers?: Readonly<Record<string, TaskError>> | undefined
  /**
   * Routes scripted as a whole: each request that reaches the route (past the gateway) meets the
   * route's timeline, as a task's requests meet the task's. A `pass()` step lets the request
   * through to the route (a latency then delays its answer, not its effect); any other step
   * answers instead of the route, which then does nothing (a 503 starts no task).
   */
  readonly routes?: { readonly [R in Route]?: Timeline | undefined } | undefined
}

/**
 * A request the stub received.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  /** Lower-case header names, values as sent (tokens included: this is a test tool). */
  readonly headers: Readonly<Record<string, string>>
  /** When it arrived, in milliseconds on the `Clock`. */
  readonly at: number
  /** The body as UTF-8 text (a server's `auth.key` included); `""` without one. */
  readonly body: string
}

/** The stub's models: scripted replies, steps and timelines, scenarios, recorded requests. */
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

/**
 * One step of a task's timeline: a reply, and how long it lasts. A step ends after `for` (time on
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
 * The script of a stub: each task id's timeline, and what unknown task ids get.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
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
}

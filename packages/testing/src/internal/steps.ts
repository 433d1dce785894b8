/** The steps of a timeline: what one request gets, and for how long. */
import * as Duration from "effect/Duration"
import type { Reply, Step, StepOptions, TaskError } from "./models.js"

const step = (reply: Reply, options: StepOptions = {}): Step => ({
  reply,
  for: options.for === undefined ? undefined : Duration.decode(options.for),
  times: options.times,
  latency: options.latency === undefined ? undefined : Duration.decode(options.latency)
})

/**
 * A 200 answer with the task in a status (or with no `task_status` at all when `undefined`).
 *
 * @example
 * ```ts
 * import { KpsTesting } from "@effect-kps/testing"
 *
 * const timeline = [
 *   KpsTesting.status("RUNNING_RESET", { for: "30 seconds" }),
 *   KpsTesting.status("SUCCESS_RESET")
 * ]
 * ```
 *
 * @since 0.1.0
 * @category steps
 */
export const status = (status: string | undefined, options?: StepOptions): Step => task({ status }, options)

/**
 * A 200 answer with full control of the task body: server id, wire fields left out, extra fields,
 * and the error `failed-tasks` lists for a `FAILED_*` status.
 *
 * @since 0.1.0
 * @category steps
 */
export const task = (
  body: {
    readonly status?: string | undefined
    readonly serverId?: string | undefined
    readonly omit?: ReadonlyArray<"task_id" | "task_status" | "server_id"> | undefined
    readonly extra?: Readonly<Record<string, unknown>> | undefined
    /** Why the task failed, as `failed-tasks` lists it while this step is current. */
    readonly error?: TaskError | undefined
  },
  options?: StepOptions
): Step =>
  step({
    _tag: "Task",
    status: body.status,
    serverId: body.serverId,
    omit: body.omit ?? [],
    extra: body.extra ?? {},
    error: body.error
  }, options)

/**
 * An error answer with a Huawei-shaped body.
 *
 * @since 0.1.0
 * @category steps
 */
export const apiError = (
  httpStatus: number,
  error: {
    readonly code: string
    readonly message: string
    readonly shape?: "flat" | "nested" | "code" | undefined
    readonly headers?: Readonly<Record<string, string>> | undefined
  },
  options?: StepOptions
): Step =>
  step({
    _tag: "ApiError",
    status: httpStatus,
    errorCode: error.code,
    errorMessage: error.message,
    shape: error.shape ?? "flat",
    headers: error.headers ?? {}
  }, options)

/**
 * The gateway's throttling answer: 429 `APIG.0308`, with a `Retry-After` header when given
 * (seconds, or an HTTP date as a string).
 *
 * @since 0.1.0
 * @category steps
 */
export const throttled = (options: StepOptions & { readonly retryAfter?: number | string | undefined } = {}): Step =>
  apiError(429, {
    code: "APIG.0308",
    message: "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second",
    headers: options.retryAfter === undefined ? {} : { "retry-after": String(options.retryAfter) }
  }, options)

/**
 * Any answer, byte for byte: any status from 100 to 599, an HTML page from a gateway, a malformed,
 * empty or compressed body (bytes as given; `Content-Encoding: gzip` or `deflate` is undone as fetch
 * undoes it). A 204, 205 or 304 has no content, as on the wire, whatever body is given.
 *
 * @since 0.1.0
 * @category steps
 */
export const raw = (
  httpStatus: number,
  body: string | Uint8Array,
  options: StepOptions & { readonly headers?: Readonly<Record<string, string>> | undefined } = {}
): Step => step({ _tag: "Raw", status: httpStatus, body, headers: options.headers ?? {} }, options)

/**
 * A gateway's HTML error page, such as the 502 a load balancer sends when the backend is down.
 *
 * @since 0.1.0
 * @category steps
 */
export const html = (httpStatus: number, options?: StepOptions): Step =>
  raw(
    httpStatus,
    `<html><head><title>${httpStatus} Bad Gateway</title></head><body><center><h1>${httpStatus} Bad Gateway</h1></center></body></html>`,
    { ...options, headers: { "content-type": "text/html" } }
  )

/**
 * No answer: the connection is refused or reset, or the host does not resolve.
 *
 * @since 0.1.0
 * @category steps
 */
export const transportError = (
  reason: "ConnectionRefused" | "ConnectionReset" | "DnsLookup" = "ConnectionRefused",
  options?: StepOptions
): Step => step({ _tag: "TransportError", reason }, options)

/**
 * A request that never gets an answer, until it is interrupted (by a timeout, say).
 *
 * @since 0.1.0
 * @category steps
 */
export const hang = (options?: StepOptions): Step => step({ _tag: "Hang" }, options)

/**
 * The request goes on as if nothing were scripted for it. On a route's timeline, the route does
 * its work (an associate starts its task); with a `latency`, the work is done when the request
 * arrives and only the answer is late, so a client that times out first has still started the
 * task. On a task's timeline, the task is not there (yet): the answer is the unknown task's, and
 * the lists leave it out.
 *
 * @example
 * ```ts
 * import { KpsTesting } from "@effect-kps/testing"
 *
 * // The first associate gets a 503 (and starts nothing), the next ones start their task.
 * const scenario: KpsTesting.Scenario = {
 *   routes: {
 *     associateKeypair: [
 *       KpsTesting.apiError(503, { code: "KPS.0003", message: "Service unavailable" }, { times: 1 }),
 *       KpsTesting.pass()
 *     ]
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category steps
 */
export const pass = (options?: StepOptions): Step => step({ _tag: "Pass" }, options)

/**
 * A deterministic stub `HttpClient` that answers like KPS, for tests: no sockets, each task a
 * scripted timeline of statuses and faults read from Effect's `Clock`, so `TestClock.adjust` moves
 * tasks forward.
 *
 * @since 0.1.0
 */
import * as Credentials from "@effect-kps/core/Credentials"
import * as KpsClient from "@effect-kps/core/KpsClient"
import type { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as internal from "./internal/stub.js"

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
   * 401 `APIG.0301`. Without it, any request is accepted.
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
   * The answer for a task id the scenario does not know. Default: 400 `KPS.0001` "taskId is
   * illegal", the code KPS documents for a bad task id.
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
 * A 200 answer with full control of the task body: server id, wire fields left out, extra fields.
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
  },
  options?: StepOptions
): Step =>
  step({
    _tag: "Task",
    status: body.status,
    serverId: body.serverId,
    omit: body.omit ?? [],
    extra: body.extra ?? {}
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
 * The project id {@link layerClient} uses unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const projectId = "0123456789abcdef0123456789abcdef"

/**
 * The endpoint {@link layerClient} uses unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const endpoint = "https://kms.cn-north-4.myhuaweicloud.com"

/**
 * The stub as an `HttpClient` layer, with its {@link KpsTesting} control service. The timelines
 * start when the layer is built. Like the Node transport, the stub enforces request timeouts
 * itself (it provides `KpsClient.TransportTimeouts`), and only on answers that take time (a
 * `latency`, a `hang`): an answer given at once leaves no timer on the clock.
 *
 * @example
 * ```ts
 * import { Credentials, KpsClient } from "@effect-kps/core"
 * import { KpsTesting } from "@effect-kps/testing"
 * import { Layer, Redacted } from "effect"
 *
 * const TestLive = KpsClient.layer({
 *   endpoint: KpsTesting.endpoint,
 *   projectId: KpsTesting.projectId,
 *   credentials: Credentials.token(Redacted.make("test-token"))
 * }).pipe(Layer.provideMerge(KpsTesting.layer({ tasks: { "t-1": [KpsTesting.status("SUCCESS_BIND")] } })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  scenario: Scenario
): Layer.Layer<HttpClient.HttpClient | KpsTesting | KpsClient.TransportTimeouts> =>
  Layer.effectContext(
    Effect.map(internal.make(scenario, projectId), ({ client, control }) =>
      Context.make(KpsTesting, control).pipe(
        Context.add(HttpClient.HttpClient, client),
        // Like the Node transport, the stub times requests out itself.
        Context.add(KpsClient.TransportTimeouts, true)
      ))
  )

/**
 * The stub with a `KpsClient` on top: endpoint {@link endpoint}, project {@link projectId}, a
 * test token, and any client options you give.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  scenario: Scenario,
  options?: Partial<KpsClient.Options>
): Layer.Layer<
  KpsClient.KpsClient | HttpClient.HttpClient | KpsTesting | KpsClient.TransportTimeouts,
  KpsInvalidInput
> =>
  KpsClient.layer({
    endpoint,
    projectId,
    credentials: Credentials.token("stub-token"),
    ...options
  }).pipe(Layer.provideMerge(layer(scenario)))

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

/**
 * Runs `fiber` to its end on the `TestClock`, moving the clock from one scheduled wake-up to the
 * next. Between moves it lets Promise-based work settle (a body being read, a Web Crypto
 * signature), which `TestClock.adjust` alone does not wait for, so a sleep is never skipped
 * because it was registered a moment late. Bounded by `maxSteps` clock moves.
 *
 * @example
 * ```ts
 * import { KpsClient } from "@effect-kps/core"
 * import { KpsTesting } from "@effect-kps/testing"
 * import { Effect, Exit } from "effect"
 *
 * const twice = Effect.zipRight(KpsClient.getTask("t-1"), Effect.zipRight(Effect.sleep("5 seconds"), KpsClient.getTask("t-1")))
 * const run = Effect.flatMap(Effect.fork(twice), (fiber) => KpsTesting.runToEnd(fiber))
 * // Exit.isSuccess(yield* run)
 * ```
 *
 * @since 0.1.0
 * @category clock
 */
export const runToEnd = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  options: { readonly maxSteps?: number | undefined } = {}
): Effect.Effect<Exit.Exit<A, E>> =>
  Effect.gen(function*() {
    const maxSteps = options.maxSteps ?? 10_000
    for (let step = 0; step < maxSteps; step++) {
      yield* settle
      const done = yield* fiber.poll
      if (Option.isSome(done)) return done.value
      const sleeps = yield* TestClock.sleeps()
      if (Chunk.isEmpty(sleeps)) continue
      const now = yield* Clock.currentTimeMillis
      const next = Chunk.reduce(sleeps, Infinity, (earliest, at) => Math.min(earliest, at))
      // Set, not adjust: adding a fractional difference can land just short of the wake-up.
      if (next > now) yield* TestClock.setTime(next)
    }
    return yield* Effect.dieMessage(`runToEnd: the fiber did not end within ${maxSteps} clock moves`)
  })

// One turn of the event loop, so that settled Promises resume their fibers: not a timed sleep.
const turn = Effect.async<void>((resume) => {
  const handle = setTimeout(() => resume(Effect.void), 0)
  return Effect.sync(() => clearTimeout(handle))
})

const settle = Effect.zipRight(Effect.yieldNow(), turn)

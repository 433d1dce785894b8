/**
 * Faults the emulator injects on demand: throttling, server errors, latency, dropped connections
 * and malformed bodies. Probabilities are drawn from a generator seeded by the emulator's `seed`,
 * so the same seed and the same requests give the same faults.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"

/**
 * Which faults to inject. Every probability is a number in `[0, 1]` (0, the default, never; 1
 * always). Given globally (`KpsEmulator.Options.faults`) they apply to every authenticated
 * request; given for one task (`TaskStore.setFaults`) they apply to the requests that name that
 * task, and replace the global settings field by field.
 *
 * Faults are tried in this order, each drawing one number when it is set: `drop`, `latency`,
 * `rateLimit`, `throttle`, `serverError`, and, on a successful answer, `malformed`.
 *
 * @example
 * ```ts
 * import type { Faults } from "@effect-kps/emulator"
 *
 * const flaky: Faults.Faults = { throttle: 0.2, serverError: 0.1, serverErrorStatus: 503, latency: "200 millis" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Faults {
  /** Probability of answering 429 `APIG.0308` ("policy user over ratelimit"). */
  readonly throttle?: number | undefined
  /**
   * At most `requests` requests per `per` window (on the `Clock`); the others answer 429
   * `APIG.0308`. Counted per scope: globally, or per task for a task's faults.
   */
  readonly rateLimit?: { readonly requests: number; readonly per: Duration.DurationInput } | undefined
  /** Probability of answering a server error (see `serverErrorStatus`). */
  readonly serverError?: number | undefined
  /**
   * The status of injected server errors: 500 or 503 (`KPS.0003`), 502 or 504 (`APIG.0201`, as
   * the gateway says when its backend is down or slow). Default 500.
   */
  readonly serverErrorStatus?: 500 | 502 | 503 | 504 | undefined
  /** Time added before answering, slept on the `Clock`. */
  readonly latency?: Duration.DurationInput | undefined
  /** Probability of closing the connection without an answer. */
  readonly drop?: number | undefined
  /** Probability of turning a successful answer into a truncated, unparsable JSON body. */
  readonly malformed?: number | undefined
}

/**
 * No faults at all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Faults = {}

/**
 * How often to poll a task, how long to wait in all, and how to retry a poll that fails: the
 * knobs as data, with presets, turned into a `Schedule` for the poll cadence.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"

/**
 * Per-request retries of throttled and transient failures (`KpsError.classify`), kept apart from
 * the poll cadence. `budget` bounds the retries of one whole wait, so that an outage does not
 * multiply the load.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Retries allowed in one wait. */
  readonly budget: number
  /** The first retry's backoff; each next one doubles, up to `maxDelay`. */
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  /** A `Retry-After` up to this is waited in full; a longer one is capped to it. */
  readonly maxRetryAfter: Duration.Duration
}

/**
 * The poll cadence: the first poll after `initialDelay`, then delays from `interval`, growing by
 * `factor` up to `maxInterval`, each drawn uniformly from zero to that delay when `jitter` is
 * `"full"`. `deadline` ends the wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitPolicy {
  readonly _tag: "WaitPolicy"
  readonly initialDelay: Duration.Duration
  readonly interval: Duration.Duration
  readonly factor: number
  readonly maxInterval: Duration.Duration
  readonly jitter: "full" | "none"
  readonly deadline: Duration.Duration
  readonly retry: RetryPolicy
}

const defaultRetry: RetryPolicy = {
  budget: 10,
  baseDelay: Duration.seconds(1),
  maxDelay: Duration.seconds(30),
  maxRetryAfter: Duration.seconds(60)
}

/**
 * A policy from its knobs; what is not given is the default's.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly initialDelay?: Duration.DurationInput | undefined
  readonly interval?: Duration.DurationInput | undefined
  readonly factor?: number | undefined
  readonly maxInterval?: Duration.DurationInput | undefined
  readonly jitter?: "full" | "none" | undefined
  readonly deadline?: Duration.DurationInput | undefined
  readonly retry?: Partial<RetryPolicy> | undefined
}): WaitPolicy => ({
  _tag: "WaitPolicy",
  initialDelay: Duration.decode(options.initialDelay ?? Duration.zero),
  interval: Duration.decode(options.interval ?? Duration.seconds(1)),
  factor: options.factor ?? 1.5,
  maxInterval: Duration.decode(options.maxInterval ?? Duration.seconds(15)),
  jitter: options.jitter ?? "full",
  deadline: Duration.decode(options.deadline ?? Duration.minutes(30)),
  retry: { ...defaultRetry, ...options.retry }
})

const defaultPolicy: WaitPolicy = make({})

export {
  /**
   * The default policy: the first poll at once, then exponential from 1 s by ×1.5 with full jitter,
   * capped at 15 s; a 30-minute deadline.
   *
   * @since 0.1.0
   * @category presets
   */
  defaultPolicy as default
}

/**
 * The cadence of the Huawei Terraform provider: the first poll after 10 s, then every 20 s; a
 * 30-minute deadline.
 *
 * @since 0.1.0
 * @category presets
 */
export const terraform: WaitPolicy = make({
  initialDelay: "10 seconds",
  interval: "20 seconds",
  factor: 1,
  maxInterval: "20 seconds",
  jitter: "none"
})

/**
 * The first poll at once, then one every `interval`, without jitter; a 30-minute deadline.
 *
 * @since 0.1.0
 * @category presets
 */
export const fixed = (interval: Duration.DurationInput): WaitPolicy =>
  make({ interval, factor: 1, maxInterval: interval, jitter: "none" })

/**
 * Whether a value is a {@link WaitPolicy}.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isWaitPolicy = (u: unknown): u is WaitPolicy =>
  typeof u === "object" && u !== null && (u as { readonly _tag?: unknown })._tag === "WaitPolicy"

const RetryPolicySchema = /* @__PURE__ */ Schema.Struct({
  budget: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  baseDelay: Schema.Duration,
  maxDelay: Schema.Duration,
  maxRetryAfter: Schema.Duration
})

const WaitPolicyStruct = /* @__PURE__ */ Schema.Struct({
  _tag: Schema.Literal("WaitPolicy"),
  initialDelay: Schema.Duration,
  interval: Schema.Duration,
  factor: Schema.Number.pipe(Schema.finite(), Schema.positive()),
  maxInterval: Schema.Duration,
  jitter: Schema.Literal("full", "none"),
  deadline: Schema.Duration,
  retry: RetryPolicySchema
})

/**
 * A {@link WaitPolicy} as data that survives JSON: to store a wait's policy with the wait (as
 * `@effect-kps/workflow` does), or to read one from a file.
 *
 * @example
 * ```ts
 * import { WaitPolicy } from "@effect-kps/polling"
 * import { Schema } from "effect"
 *
 * const json = JSON.stringify(Schema.encodeSync(WaitPolicy.WaitPolicySchema)(WaitPolicy.terraform))
 * const policy = Schema.decodeUnknownSync(WaitPolicy.WaitPolicySchema)(JSON.parse(json))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const WaitPolicySchema: Schema.Schema<WaitPolicy, WaitPolicySchema.Encoded> = WaitPolicyStruct

/**
 * @since 0.1.0
 * @category schemas
 */
export declare namespace WaitPolicySchema {
  /**
   * The encoded form of a {@link WaitPolicy}: plain JSON.
   *
   * @since 0.1.0
   * @category schemas
   */
  export type Encoded = Schema.Schema.Encoded<typeof WaitPolicyStruct>
}

/**
 * The delays between polls as a `Schedule` (the first poll's `initialDelay` is not part of it).
 * Full jitter draws from Effect's `Random`, so a seeded `Random` makes it repeatable.
 *
 * @since 0.1.0
 * @category conversions
 */
export const schedule = (policy: WaitPolicy): Schedule.Schedule<Duration.Duration> => {
  const growing = policy.factor === 1
    ? Schedule.map(Schedule.spaced(policy.interval), () => policy.interval)
    : Schedule.exponential(policy.interval, policy.factor)
  const capped = Schedule.modifyDelay(growing, (_, delay) => Duration.min(delay, policy.maxInterval))
  return policy.jitter === "none"
    ? capped
    : Schedule.modifyDelayEffect(
      capped,
      (_, delay) =>
        // Whole milliseconds, from zero to the delay inclusive.
        Effect.map(Random.nextIntBetween(0, Math.floor(Duration.toMillis(delay)) + 1), Duration.millis)
    )
}

import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type { Faults } from "../Faults.js"

/** What the faults make of one request. */
export interface Decision {
  readonly drop: boolean
  readonly latency: Duration.Duration
  readonly throttled: boolean
  /** The status of an injected server error, if any. */
  readonly serverError: 500 | 502 | 503 | 504 | undefined
  readonly malformed: boolean
}

export const pass: Decision = {
  drop: false,
  latency: Duration.zero,
  throttled: false,
  serverError: undefined,
  malformed: false
}

/** What is wrong with a set of faults, or undefined when nothing is. */
export const problem = (faults: Faults | undefined): string | undefined => {
  if (faults === undefined) return undefined
  for (const key of ["throttle", "serverError", "drop", "malformed"] as const) {
    const value = faults[key]
    if (value !== undefined && !(typeof value === "number" && value >= 0 && value <= 1)) {
      return `faults.${key} must be a probability between 0 and 1`
    }
  }
  if (faults.latency !== undefined && Duration.decodeUnknown(faults.latency)._tag === "None") {
    return "faults.latency is not a duration"
  }
  if (
    faults.serverErrorStatus !== undefined && ![500, 502, 503, 504].includes(faults.serverErrorStatus)
  ) {
    return "faults.serverErrorStatus must be 500, 502, 503 or 504"
  }
  const rateLimit = faults.rateLimit
  if (rateLimit !== undefined) {
    if (!Number.isInteger(rateLimit.requests) || rateLimit.requests < 0) {
      return "faults.rateLimit.requests must be a whole number of requests"
    }
    const per = Duration.decodeUnknown(rateLimit.per)
    if (per._tag === "None" || !Duration.greaterThan(per.value, Duration.zero)) {
      return "faults.rateLimit.per must be a duration greater than zero"
    }
  }
  return undefined
}

interface RateWindow {
  start: number
  count: number
}

/** Decides the faults of requests, globally or for one task's scope. */
export interface FaultEngine {
  readonly decide: (faults: Faults | undefined, scope: string) => Effect.Effect<Decision>
}

/**
 * Decides the faults of each request. One generator, seeded once, draws every number in request
 * order: the same seed and the same requests give the same faults.
 */
export const make = (seed: number): FaultEngine => {
  const random = Random.make(`@effect-kps/emulator/faults/${seed}`)
  const windows = new Map<string, RateWindow>()

  const roll = (probability: number | undefined): Effect.Effect<boolean> =>
    probability === undefined || probability <= 0
      ? Effect.succeed(false)
      : Effect.map(random.next, (n) => n < probability)

  // A fixed window per scope on the Clock: the first `requests` of each window pass.
  const overLimit = (scope: string, rateLimit: Faults["rateLimit"]): Effect.Effect<boolean> =>
    rateLimit === undefined ? Effect.succeed(false) : Effect.map(Clock.currentTimeMillis, (now) => {
      const per = Duration.toMillis(Duration.decode(rateLimit.per))
      const window = windows.get(scope)
      if (window === undefined || now - window.start >= per) {
        windows.set(scope, { start: now - ((now - (window?.start ?? now)) % per), count: 1 })
        return rateLimit.requests < 1
      }
      window.count++
      return window.count > rateLimit.requests
    })

  const decide = (faults: Faults | undefined, scope: string): Effect.Effect<Decision> =>
    faults === undefined ? Effect.succeed(pass) : Effect.gen(function*() {
      const drop = yield* roll(faults.drop)
      if (drop) return { ...pass, drop }
      const latency = faults.latency === undefined ? Duration.zero : Duration.decode(faults.latency)
      const throttled = (yield* overLimit(scope, faults.rateLimit)) || (yield* roll(faults.throttle))
      if (throttled) return { ...pass, latency, throttled }
      const serverError = (yield* roll(faults.serverError)) ? faults.serverErrorStatus ?? 500 : undefined
      if (serverError !== undefined) return { ...pass, latency, serverError }
      return { ...pass, latency, malformed: yield* roll(faults.malformed) }
    })

  return { decide }
}

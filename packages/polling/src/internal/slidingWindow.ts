import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/**
 * At most `limit` permits in any window of `window`, bursts included: a log of the last `limit`
 * grant times, and a wait until the oldest leaves the window. Effect's RateLimiter offers token
 * bucket and fixed window, which both let up to twice the limit through in a sliding window.
 * Grants are serialized, so concurrent callers never overshoot. Time is the `Clock`'s.
 */
export const make = (limit: number, window: Duration.Duration): Effect.Effect<Effect.Effect<void>> =>
  Effect.map(Effect.makeSemaphore(1), (semaphore) => {
    const windowMillis = Duration.toMillis(window)
    // Grant times, oldest first, from `oldest` on: dropping the expired ones moves an index, not
    // the array (shifting it costs its length, which a raised limit makes large).
    let granted: Array<number> = []
    let oldest = 0
    return semaphore.withPermits(1)(Effect.gen(function*() {
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        while (oldest < granted.length && granted[oldest] <= now - windowMillis) oldest++
        if (oldest > 1024 && oldest * 2 > granted.length) {
          granted = granted.slice(oldest)
          oldest = 0
        }
        if (granted.length - oldest < limit) {
          granted.push(now)
          return
        }
        yield* Effect.sleep(Duration.millis(granted[oldest] + windowMillis - now))
      }
    }))
  })

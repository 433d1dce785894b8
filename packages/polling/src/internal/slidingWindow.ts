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
    const granted: Array<number> = []
    return semaphore.withPermits(1)(Effect.gen(function*() {
      for (;;) {
        const now = yield* Clock.currentTimeMillis
        while (granted.length > 0 && granted[0] <= now - windowMillis) granted.shift()
        if (granted.length < limit) {
          granted.push(now)
          return
        }
        yield* Effect.sleep(Duration.millis(granted[0] + windowMillis - now))
      }
    }))
  })

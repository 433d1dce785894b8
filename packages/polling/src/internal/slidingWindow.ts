import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/**
 * At most `limit` requests arriving in any window of `window`, however long they take to get
 * there. What a server counts is arrivals, and counting grants is not enough: connection set-up
 * can hold the first requests back until they land together with the next ones. So a request
 * holds one of `limit` slots from its grant until it ends (answered or failed), and its slot is
 * free again `window` after that end: two requests that share a slot arrive at least `window`
 * apart, whatever the delays between grant, arrival and answer. (Effect's RateLimiter counts
 * grants, with a token bucket or a fixed window, which also let up to twice the limit through in
 * a sliding window.) Time is the `Clock`'s; a slot is given back by a fiber in the scope.
 */
export const make = (
  limit: number,
  window: Duration.Duration
): Effect.Effect<<A, E>(request: Effect.Effect<A, E>) => Effect.Effect<A, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const slots = yield* Effect.makeSemaphore(limit)
    const windowMillis = Duration.toMillis(window)
    // Asks the Clock again after each sleep: a timer may fire a moment before the Clock agrees.
    const freeAt = (at: number): Effect.Effect<void> =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) => now >= at ? slots.release(1) : Effect.zipRight(Effect.sleep(Duration.millis(at - now)), freeAt(at))
      )
    const release = Effect.flatMap(
      Clock.currentTimeMillis,
      (end) => Effect.forkIn(Effect.interruptible(freeAt(end + windowMillis)), scope)
    )
    return <A, E>(request: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(restore(slots.take(1)), Effect.ensuring(restore(request), release))
      )
  })

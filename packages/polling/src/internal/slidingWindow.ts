import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"

/**
 * At most `limit` requests arriving in any window of `window`, however long they take to get
 * there. What a server counts is arrivals, and counting grants is not enough: connection set-up
 * can hold the first requests back until they land together with the next ones. So a request
 * holds one of `limit` slots from its grant until it ends (answered or failed), and its slot is
 * free again `window` after that end: two requests that share a slot arrive at least `window`
 * apart, whatever the delays between grant, arrival and answer. (Effect's RateLimiter counts
 * grants, with a token bucket or a fixed window, which also let up to twice the limit through in
 * a sliding window.) Time is the `Clock`'s; one fiber in the scope gives the slots back.
 */
export const make = (
  limit: number,
  window: Duration.Duration
): Effect.Effect<<A, E>(request: Effect.Effect<A, E>) => Effect.Effect<A, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    // Free slots as tokens in a queue: a freed slot wakes the one request waiting longest (a
    // semaphore wakes every waiter on each release, and all but one wait again).
    const slots = yield* Queue.unbounded<true>()
    const giveSlots = (count: number) => Queue.offerAll(slots, Array.from({ length: count }, () => true as const))
    yield* giveSlots(limit)
    const windowMillis = Duration.toMillis(window)
    // When each ended request's slot is free again, in order: requests end in clock order.
    let freeAt: Array<number> = []
    let head = 0
    const pending = yield* Effect.makeLatch(false)
    // One fiber gives the slots back, each at its time: none per request.
    const giveBack: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      let freed = 0
      while (head < freeAt.length && freeAt[head] <= now) {
        head++
        freed++
      }
      if (head === freeAt.length) {
        freeAt = []
        head = 0
        pending.unsafeClose()
      }
      const next = head < freeAt.length ? freeAt[head] : undefined
      // Asks the Clock again after each sleep: a timer may fire a moment before the Clock agrees.
      return Effect.zipRight(
        freed > 0 ? giveSlots(freed) : Effect.void,
        next === undefined ? pending.await : Effect.sleep(Duration.millis(next - now))
      )
    })
    yield* Effect.forkScoped(Effect.forever(giveBack))
    const release = Effect.map(Clock.currentTimeMillis, (end) => {
      freeAt.push(end + windowMillis)
      pending.unsafeOpen()
    })
    return <A, E>(request: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(restore(Queue.take(slots)), Effect.ensuring(restore(request), release))
      )
  })

/** Driving a fiber to its end on the `TestClock`, from one scheduled wake-up to the next. */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"

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

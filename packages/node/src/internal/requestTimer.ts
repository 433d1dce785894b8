import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** Whether the fiber's `Clock` is the live one, which gets plain timers. */
export const usesPlainTimer = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  Context.get(fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock) === liveClock

/**
 * Calls `onTimeout` after `duration` on the fiber's `Clock`, unless cancelled first; returns the
 * cancel function. The live clock gets a plain timer, the cheapest there is; any other clock (a
 * `TestClock`) gets its own `sleep`, run in a root fiber, so tests move it with `TestClock.adjust`.
 */
export const start = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  duration: Duration.Duration,
  onTimeout: () => void
): () => void => {
  if (usesPlainTimer(fiber)) {
    const handle = setTimeout(onTimeout, Duration.toMillis(duration))
    return () => clearTimeout(handle)
  }
  const clock = Context.get(fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock)
  const sleeper = Effect.runFork(clock.sleep(duration))
  sleeper.addObserver((exit) => {
    if (Exit.isSuccess(exit)) onTimeout()
  })
  return () => sleeper.unsafeInterruptAsFork(FiberId.none)
}

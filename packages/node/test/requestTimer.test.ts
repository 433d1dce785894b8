import { afterEach, beforeEach, describe, expect, it, vi } from "@effect/vitest"
import { Clock, Context, DefaultServices, Duration, Effect, type Fiber, TestClock, TestContext } from "effect"
import * as RequestTimer from "../src/internal/requestTimer.js"

// The fiber a request runs on, with whatever Clock its context holds.
const currentFiber = Effect.withFiberRuntime<Fiber.RuntimeFiber<unknown, unknown>>((fiber) => Effect.succeed(fiber))

describe("request timer on the live clock", () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("fires after the duration, not before, and not once cancelled", () => {
    const fiber = Effect.runSync(currentFiber)
    const fired: Array<string> = []
    RequestTimer.start(fiber, Duration.seconds(5), () => fired.push("first"))
    const cancel = RequestTimer.start(fiber, Duration.seconds(5), () => fired.push("cancelled"))
    vi.advanceTimersByTime(4_999)
    expect(fired).toEqual([])
    cancel()
    vi.advanceTimersByTime(1)
    expect(fired).toEqual(["first"])
  })
})

describe("request timer on a TestClock", () => {
  it("fires when the TestClock passes the duration", () =>
    Effect.gen(function*() {
      const fiber = yield* currentFiber
      const fired: Array<string> = []
      RequestTimer.start(fiber, Duration.seconds(5), () => fired.push("timer"))
      const cancel = RequestTimer.start(fiber, Duration.seconds(5), () => fired.push("cancelled"))
      yield* TestClock.adjust("4999 millis")
      expect(fired).toEqual([])
      cancel()
      yield* TestClock.adjust("1 millis")
      // The sleeper runs in a root fiber: let it finish.
      yield* Effect.yieldNow()
      expect(fired).toEqual(["timer"])
    }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise))
})

// The live clock gets a plain timer only when the fiber's Clock is the very object of
// `DefaultServices.liveServices`. Pinned: if Effect made a Clock per runtime, every request would
// fall back to a sleeping fiber, correct but slower, and nothing else would say so.
describe("the assumption behind the plain timer", () => {
  it("a fiber of the default runtime holds the live services' Clock itself", () => {
    const fiber = Effect.runSync(currentFiber)
    const clock = Context.get(fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock)
    expect(clock).toBe(Context.get(DefaultServices.liveServices, Clock.Clock))
    expect(RequestTimer.usesPlainTimer(fiber)).toBe(true)
  })

  it("a fiber under a TestClock does not", () =>
    Effect.gen(function*() {
      expect(RequestTimer.usesPlainTimer(yield* currentFiber)).toBe(false)
    }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise))
})

import { afterEach, beforeEach, describe, expect, it, vi } from "@effect/vitest"
import { Duration, Effect, type Fiber, TestClock, TestContext } from "effect"
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

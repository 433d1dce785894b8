import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, TestClock } from "effect"
import { guard, makeGate } from "../src/internal/fleetGate.js"

// The gate's own schedule, on the TestClock: one place per window (1 s) plus the guard.
const spacing = 1_000 + Duration.toMillis(guard)
const admitOne = (gate: Effect.Effect.Success<ReturnType<typeof makeGate>>) =>
  Effect.flatMap(gate.Admit(), (grantedAt) => Effect.map(Clock.currentTimeMillis, (now) => [grantedAt, now]))

describe("the fleet's request gate", () => {
  it.scoped("admits `limit` per window plus guard, the first only after one window (a gate may replace another)", () =>
    Effect.gen(function*() {
      const gate = yield* makeGate({ limit: 2, window: Duration.seconds(1), account: "a" })
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(admitOne(gate)))
      yield* TestClock.adjust(spacing * 3)
      const grants = yield* Effect.forEach(fibers, Fiber.join)
      expect(grants.map(([at]) => at)).toEqual([spacing, spacing * 1.5, spacing * 2])
    }))

  it.scoped("a request given up before its turn takes no place", () =>
    Effect.gen(function*() {
      const gate = yield* makeGate({ limit: 1, window: Duration.seconds(1), account: "a" })
      const first = yield* Effect.fork(admitOne(gate))
      const abandoned = yield* Effect.fork(admitOne(gate))
      const third = yield* Effect.fork(admitOne(gate))
      yield* TestClock.adjust(spacing)
      expect((yield* Fiber.join(first))[0]).toBe(spacing)
      yield* Fiber.interrupt(abandoned)
      yield* TestClock.adjust(spacing * 2)
      expect((yield* Fiber.join(third))[0]).toBe(spacing * 2)
    }))
})

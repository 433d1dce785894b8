/**
 * A virtual `Clock` for benchmarks with thousands of sleeping fibers. The `TestClock` keeps its
 * sleeps in a list it sorts on every wake-up and checks every supervised fiber between moves:
 * fine for tests, quadratic for 10,000 waits. This one keeps a binary heap of wake-ups and wakes
 * everything due at once; the driver moves time only when every fiber it waits on sleeps.
 */
import { Clock, Duration, Effect } from "effect"

interface Sleeper {
  readonly at: number
  /** Undefined once woken or interrupted: a forgotten sleeper holds no fiber. */
  wake: (() => void) | undefined
}

export interface VirtualClock extends Clock.Clock {
  /** Fibers asleep on this clock now. */
  readonly sleeping: () => number
  /** Moves to the earliest wake-up and wakes every sleeper due then; false when nobody sleeps. */
  readonly advance: () => boolean
}

export const make = (): VirtualClock => {
  let now = 0
  let asleep = 0
  const heap: Array<Sleeper> = []
  const swap = (i: number, j: number) => {
    const t = heap[i]
    heap[i] = heap[j]
    heap[j] = t
  }
  const push = (sleeper: Sleeper) => {
    heap.push(sleeper)
    for (let i = heap.length - 1; i > 0 && heap[(i - 1) >> 1].at > heap[i].at; i = (i - 1) >> 1) swap(i, (i - 1) >> 1)
  }
  const pop = (): Sleeper => {
    const top = heap[0]
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      for (let i = 0;;) {
        const l = 2 * i + 1, r = l + 1
        let m = i
        if (l < heap.length && heap[l].at < heap[m].at) m = l
        if (r < heap.length && heap[r].at < heap[m].at) m = r
        if (m === i) break
        swap(i, m)
        i = m
      }
    }
    return top
  }
  const clock: VirtualClock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: (duration) =>
      Effect.async<void>((resume) => {
        const millis = Duration.toMillis(duration)
        if (millis <= 0) return resume(Effect.void)
        const sleeper: Sleeper = { at: now + millis, wake: () => resume(Effect.void) }
        asleep++
        push(sleeper)
        // Interrupted: forgotten now, dropped from the heap when its time comes.
        return Effect.sync(() => {
          if (sleeper.wake !== undefined) asleep--
          sleeper.wake = undefined
        })
      }),
    sleeping: () => asleep,
    advance: () => {
      while (heap.length > 0 && heap[0].wake === undefined) pop()
      if (heap.length === 0) return false
      now = Math.max(now, heap[0].at)
      while (heap.length > 0 && heap[0].at <= now) {
        const wake = pop().wake
        if (wake === undefined) continue
        asleep--
        wake()
      }
      return true
    }
  }
  return clock
}

const turn = Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))

/**
 * Runs until `awake()` is zero and nobody sleeps: between moves of the clock, lets the event
 * loop turn until every fiber still running sleeps (or `maxTurns` pass). Bounded by `maxMoves`.
 */
export const runToEnd = (clock: VirtualClock, running: () => number, options: {
  readonly maxMoves: number
  readonly maxTurns: number
}) =>
  Effect.gen(function*() {
    for (let move = 0; move < options.maxMoves; move++) {
      for (let i = 0; i < options.maxTurns && clock.sleeping() < running(); i++) yield* turn
      if (running() === 0) return move
      if (!clock.advance()) yield* turn
    }
    return yield* Effect.dieMessage(`the run did not end within ${options.maxMoves} clock moves`)
  })

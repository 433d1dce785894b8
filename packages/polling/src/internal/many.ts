import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsError from "@effect-kps/core/KpsError"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ManyOptions, TaskOutcome } from "../TaskWaiter.js"
import type { WaitState } from "../WaitState.js"
import { WaitDefect } from "./errors.js"
import * as SlidingWindow from "./slidingWindow.js"
import * as TimerHeap from "./timerHeap.js"
import * as Wait from "./wait.js"

const invalid = (field: string, description: string) => new KpsError.KpsInvalidInput({ field, description })

/** The shared limit of `waitForTasks`, unless its options make none, with its number of slots. */
const limiter = (rateLimit: ManyOptions["rateLimit"]) => {
  const limit = rateLimit?.limit ?? 20
  const window = Duration.decodeUnknown(rateLimit?.window ?? Duration.seconds(1))
  return Number.isInteger(limit) && limit >= 1 && Option.isSome(window) && Duration.isFinite(window.value)
    ? Effect.map(SlidingWindow.make(limit, window.value), (run) => ({ run, slots: limit }))
    : Effect.fail(invalid("rateLimit", "the limit must be a whole number from 1, and the window a finite duration"))
}

const checkConcurrency = (concurrency: number) =>
  concurrency >= 1 && (Number.isInteger(concurrency) || concurrency === Infinity)
    ? Effect.succeed(concurrency)
    : Effect.fail(invalid("concurrency", `must be a whole number from 1, got ${String(concurrency)}`))

/** A wait's outcome; a wait that dies ends as its task's `WaitDefect`, and the others go on. */
const outcomeOf = (taskId: string, exit: Exit.Exit<KeypairTask.KeypairTask, Wait.WaitError>): TaskOutcome => {
  if (Exit.isSuccess(exit)) return { taskId, result: Either.right(exit.value) }
  const failure = Cause.failureOption(exit.cause)
  return {
    taskId,
    result: Either.left(Option.isSome(failure) ? failure.value : WaitDefect.fromCause(taskId, exit.cause))
  }
}

/**
 * The waits themselves. Each is a small record (`Wait.Wait`): a sleeping one sits in a timer heap,
 * a due one in a queue, and worker fibers step the due ones (the same step as a single wait's),
 * no more of them than requests may be in flight. One sleeper fiber is armed for the earliest
 * wake-up, so a sleeping wait costs its record and its span, not a fiber.
 */
const run = (
  ids: ReadonlySet<string>,
  settings: Wait.Settings,
  concurrency: number,
  workers: number,
  resume: unknown
): Effect.Effect<Stream.Stream<TaskOutcome>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const outcomes = yield* Mailbox.make<TaskOutcome>()
    const timers = TimerHeap.make<Wait.Wait>()
    const active = new Set<Wait.Wait>()
    const queued = ids.values()
    let left = ids.size

    // Due waits, first come first served, and the workers stepping them: forked when waits fall
    // due, at most `workers` at once, gone when nothing is due.
    let due: Array<Wait.Wait> = []
    let dueHead = 0
    let working = 0
    const takeDue = (): Wait.Wait | undefined => {
      if (dueHead === due.length) return undefined
      const wait = due[dueHead++]
      if (dueHead === due.length) {
        due = []
        dueHead = 0
      }
      return wait
    }
    const work: Effect.Effect<void> = Effect.suspend(() => {
      const wait = takeDue()
      if (wait === undefined) {
        working--
        return Effect.void
      }
      return Effect.zipRight(advance(wait), work)
    })
    const staff: Effect.Effect<void> = Effect.suspend(() => {
      const wanted = Math.min(due.length - dueHead, workers - working)
      if (wanted <= 0) return Effect.void
      working += wanted
      return Effect.asVoid(Effect.replicateEffect(Effect.forkIn(work, scope), wanted))
    })

    // The wake-up times sleepers are armed for. Usually one; a wait that sleeps less than the
    // others adds an earlier one, and a sleeper that finds nothing due is harmless.
    const sleepers = new Set<number>()
    const earliestSleeper = () => {
      let earliest = Infinity
      for (const at of sleepers) if (at < earliest) earliest = at
      return earliest
    }
    const wake = (at: number): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        sleepers.delete(at)
        for (let wait = timers.popDue(now); wait !== undefined; wait = timers.popDue(now)) due.push(wait)
        return Effect.zipRight(staff, arm)
      })
    const arm: Effect.Effect<void> = Effect.suspend(() => {
      const next = timers.next()
      if (next === Infinity || next >= earliestSleeper()) return Effect.void
      sleepers.add(next)
      return Effect.asVoid(Effect.forkIn(Effect.zipRight(Wait.sleepUntil(next), wake(next)), scope))
    })
    const schedule = (wait: Wait.Wait, at: number): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (at <= now) {
          due.push(wait)
          return staff
        }
        timers.push(at, wait)
        return arm
      })

    const settle = (outcome: TaskOutcome): Effect.Effect<void> => {
      outcomes.unsafeOffer(outcome)
      left--
      if (left === 0) return Effect.asVoid(outcomes.end)
      const next = queued.next()
      return next.done ? Effect.void : admit(next.value)
    }
    const admit = (taskId: string): Effect.Effect<void> =>
      Effect.flatMap(
        Effect.either(
          resume === undefined ? Effect.succeed(undefined) : Wait.decodeState(taskId, resume)
        ),
        (resumed: Either.Either<WaitState | undefined, KpsError.KpsInvalidInput>) =>
          Either.isLeft(resumed)
            ? settle({ taskId, result: Either.left(resumed.left) })
            : Effect.flatMap(Wait.begin(taskId, settings, resumed.right), ({ firstPoll, wait }) => {
              active.add(wait)
              return schedule(wait, firstPoll)
            })
      )
    const end = (wait: Wait.Wait, exit: Exit.Exit<KeypairTask.KeypairTask, Wait.WaitError>) => {
      active.delete(wait)
      return Effect.zipRight(Wait.finish(wait, exit), settle(outcomeOf(wait.taskId, exit)))
    }
    const advance = (wait: Wait.Wait): Effect.Effect<void> =>
      Effect.flatMap(
        Effect.exit(Wait.step(wait)),
        (exit) =>
          Exit.isSuccess(exit) && typeof exit.value === "number"
            ? schedule(wait, exit.value)
            : end(wait, exit as Exit.Exit<KeypairTask.KeypairTask, Wait.WaitError>)
      )

    // Waits still under way when the stream is left end as interrupted: their spans say so.
    yield* Effect.addFinalizer(() =>
      Effect.fiberIdWith((id) =>
        Effect.forEach(active, (wait) => Wait.finish(wait, Exit.interrupt(id)), { discard: true })
      )
    )
    if (left === 0) yield* outcomes.end
    for (let i = 0; i < concurrency; i++) {
      const next = queued.next()
      if (next.done) break
      yield* admit(next.value)
    }
    return Mailbox.toStream(outcomes)
  })

/** Many waits at once: each id once, `concurrency` at a time, all under one sliding-window limit. */
export const waitForTasks = (
  taskIds: Iterable<string>,
  options: ManyOptions = {}
): Stream.Stream<TaskOutcome, never, KpsClient.KpsClient> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const ids = new Set(taskIds)
    const prepared = yield* Effect.either(Effect.gen(function*() {
      const concurrency = yield* checkConcurrency(options.concurrency ?? 16)
      const limit = yield* limiter(options.rateLimit)
      const settings = yield* Wait.settings(options, Wait.ignore, limit.run)
      return { concurrency, settings, workers: Math.min(concurrency, limit.slots) }
    }))
    // Options that cannot work fail every task, before any request.
    if (Either.isLeft(prepared)) {
      const error = prepared.left
      return Stream.map(Stream.fromIterable(ids), (taskId): TaskOutcome => ({ taskId, result: Either.left(error) }))
    }
    const { concurrency, settings, workers } = prepared.right
    return yield* run(ids, settings, concurrency, workers, options.resume)
  }))

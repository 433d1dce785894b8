import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsError from "@effect-kps/core/KpsError"
import type * as TaskRef from "@effect-kps/core/TaskRef"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { ManyOptions, TaskOutcome, WaitOptions } from "../TaskWaiter.js"
import * as WaitMetrics from "../WaitMetrics.js"
import * as WaitPolicy from "../WaitPolicy.js"
import { WaitState } from "../WaitState.js"
import { TaskFailed, WaitDefect, WaitTimeout } from "./errors.js"
import * as RetryAfter from "./retryAfter.js"
import * as SlidingWindow from "./slidingWindow.js"

/** A saved state, checked before anything is sent: it must decode, and be this task's. */
const decodeState = (taskId: string, saved: unknown) =>
  Effect.flatMap(
    Effect.mapError(
      saved instanceof WaitState ? Effect.succeed(saved) : decodeWaitState(saved),
      (error) =>
        new KpsError.KpsInvalidInput({
          field: "resume",
          description: `the saved wait state does not decode: ${KpsError.describeParseError(error)}`
        })
    ),
    (state) =>
      state.taskId === taskId
        ? Effect.succeed(state)
        : Effect.fail(
          new KpsError.KpsInvalidInput({
            field: "resume",
            description: `the saved wait state is task ${state.taskId}'s, not ${taskId}'s`
          })
        )
  )

const decodeWaitState = /* @__PURE__ */ Schema.decodeUnknown(WaitState)

/** A deadline option, checked before anything is sent. */
const decodeDeadline = (input: Duration.DurationInput): Effect.Effect<Duration.Duration, KpsError.KpsInvalidInput> => {
  // Effect reads NaN and negative numbers as zero: here they are mistakes.
  const decoded = typeof input === "number" && !(input >= 0) ? undefined : Duration.decodeUnknown(input)
  return decoded !== undefined && decoded._tag === "Some"
    ? Effect.succeed(decoded.value)
    : Effect.fail(
      new KpsError.KpsInvalidInput({ field: "deadline", description: `${String(input)} is not a duration` })
    )
}

/** A task the service says it does not know (yet): tolerated for `notFoundGrace` polls. */
const isNotFound = (error: KpsError.KpsError) =>
  error._tag === "KpsApiError" && (error.status === 404 || error.errorCode === "KPS.0001")

const sleepUntil = (wakeAt: number) =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now) => wakeAt > now ? Effect.sleep(Duration.millis(wakeAt - now)) : Effect.void
  )

type Cadence = Schedule.Schedule<unknown, KeypairTask.KeypairTask | undefined>

// A policy's schedule is built once, not once per wait: thousands of waits share the presets.
const schedules = /* @__PURE__ */ new WeakMap<WaitPolicy.WaitPolicy, Cadence>()
const cadenceOf = (policy: WaitPolicy.WaitPolicy): Cadence => {
  let cadence = schedules.get(policy)
  if (cadence === undefined) {
    cadence = WaitPolicy.schedule(policy)
    schedules.set(policy, cadence)
  }
  return cadence
}

/** Runs a request under a shared rate limit, when many waits share one. */
type Limit = <A, E>(request: Effect.Effect<A, E>) => Effect.Effect<A, E>

const unlimited: Limit = (request) => request

/**
 * One wait, as the little mutable state it carries between polls. Thousands of waits sleep at
 * once, so what a sleeping wait holds is this object and one continuation, no more.
 */
interface Wait {
  readonly taskId: string
  readonly client: KpsClient.KpsClient["Type"]
  readonly cadence: Cadence
  readonly retry: WaitPolicy.RetryPolicy
  readonly failOnUnknownStatus: boolean
  readonly observe: (task: KeypairTask.KeypairTask) => Effect.Effect<void>
  readonly limit: Limit
  readonly onState: WaitOptions["onState"]
  readonly onRetry: WaitOptions["onRetry"]
  readonly span: Tracer.Span
  readonly startedAt: number
  readonly deadlineAt: number
  attempts: number
  lastTask: KeypairTask.KeypairTask | undefined
  retriesLeft: number
  notFoundLeft: number
  cadenceState: unknown
  /** Unknown statuses already warned about. */
  warned: Set<string> | undefined
}

const timedOut = (wait: Wait) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.fail(
      new WaitTimeout({
        taskId: wait.taskId,
        task: wait.lastTask,
        attempts: wait.attempts,
        elapsed: Duration.millis(now - wait.startedAt)
      })
    ))

/** One request, timed from its grant: it may not outlive the wait. */
const send = (wait: Wait) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const attempt = ++wait.attempts
    const timeout = Duration.min(wait.client.timeout, Duration.millis(Math.max(1, wait.deadlineAt - now)))
    return Effect.zipRight(
      Metric.increment(WaitMetrics.polls),
      wait.client.getTask(wait.taskId, { timeout }).pipe(
        Effect.tap((task) => Effect.annotateCurrentSpan("kps.task_status", task.taskStatus ?? "")),
        Effect.withSpan("TaskWaiter.poll", {
          attributes: { "kps.task_id": wait.taskId, "kps.attempt": attempt },
          captureStackTrace: false
        })
      )
    )
  })

/** One poll, retrying throttled and transient failures; `undefined`: not found, within grace. */
const poll = (wait: Wait) =>
  Effect.gen(function*() {
    const { retry, taskId } = wait
    for (let retryNumber = 0;; retryNumber++) {
      const result = yield* Effect.either(wait.limit(send(wait)))
      if (Either.isRight(result)) return result.right
      const error = result.left
      const classification = KpsError.classify(error)
      if (classification === "throttled") yield* Metric.increment(WaitMetrics.throttles)
      if (isNotFound(error) && wait.notFoundLeft > 0) {
        wait.notFoundLeft--
        return undefined
      }
      if (classification === "terminal" || wait.retriesLeft === 0) return yield* Effect.fail(error)
      wait.retriesLeft--
      const backoff = Math.min(
        Duration.toMillis(retry.baseDelay) * 2 ** retryNumber,
        Duration.toMillis(retry.maxDelay)
      )
      const after = yield* Clock.currentTimeMillis
      const hinted = error._tag === "KpsApiError" ? RetryAfter.millis(error.retryAfter, after) : undefined
      const delay = Math.max(backoff, Math.min(hinted ?? 0, Duration.toMillis(retry.maxRetryAfter)))
      if (after >= wait.deadlineAt) return yield* timedOut(wait)
      // The last wait is shortened so that a last try happens at the deadline.
      const retryAt = Math.min(after + delay, wait.deadlineAt)
      yield* Effect.logDebug("KPS poll failed; retrying").pipe(
        Effect.annotateLogs({ "kps.error": error._tag, "retry.delay_ms": retryAt - after })
      )
      if (wait.onRetry !== undefined) {
        yield* wait.onRetry({
          taskId,
          error,
          classification,
          attempt: wait.attempts,
          retriesLeft: wait.retriesLeft,
          delay: Duration.millis(retryAt - after)
        })
      }
      yield* sleepUntil(retryAt)
    }
  })

/**
 * Everything between two sleeps: a poll, what it tells, and when to poll next. Ends with the
 * task when it succeeded, or with the time of the next poll.
 */
const step = (wait: Wait) =>
  Effect.gen(function*() {
    const { taskId } = wait
    const task = yield* poll(wait)
    if (wait.onState !== undefined) {
      yield* wait.onState(
        new WaitState({
          taskId,
          startedAt: wait.startedAt,
          deadlineAt: wait.deadlineAt,
          attempts: wait.attempts,
          lastStatus: (task ?? wait.lastTask)?.taskStatus
        })
      )
    }
    if (task !== undefined) {
      wait.lastTask = task
      yield* wait.observe(task)
      switch (task.phase) {
        case "succeeded":
          return task
        case "failed":
          return yield* new TaskFailed({ task })
        case "unknown": {
          if (wait.failOnUnknownStatus) return yield* new TaskFailed({ task })
          const status = task.taskStatus ?? "(none)"
          wait.warned ??= new Set()
          if (!wait.warned.has(status)) {
            wait.warned.add(status)
            yield* Effect.logWarning(`Task ${taskId} reports an unknown status ${status}; waiting on as pending`)
          }
        }
      }
    }
    const now = yield* Clock.currentTimeMillis
    if (now >= wait.deadlineAt) return yield* timedOut(wait)
    const [state, , decision] = yield* wait.cadence.step(now, task, wait.cadenceState)
    wait.cadenceState = state
    if (ScheduleDecision.isDone(decision)) return yield* timedOut(wait)
    // The last sleep is shortened so that a last poll happens at the deadline.
    const wakeAt = Math.min(ScheduleIntervals.start(decision.intervals), wait.deadlineAt)
    wait.span.attribute("kps.next_poll_delay_ms", wakeAt - now)
    return wakeAt
  }).pipe(
    // Only the work between sleeps runs under the wait's span and log annotation: a sleeping wait
    // holds neither.
    Effect.withParentSpan(wait.span),
    Effect.annotateLogs("kps.task_id", wait.taskId)
  )

const loop = (
  wait: Wait,
  wakeAt: number
): Effect.Effect<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError> =>
  Effect.flatMap(
    sleepUntil(wakeAt),
    () => Effect.flatMap(step(wait), (next) => typeof next === "number" ? loop(wait, next) : Effect.succeed(next))
  )

/**
 * The wait itself: polls until the task ends, calling `observe` with every task a poll reads.
 * `waitForTask` observes nothing; `watchTask` emits the changes.
 */
export const run = (
  taskId: string,
  options: WaitOptions,
  observe: (task: KeypairTask.KeypairTask) => Effect.Effect<void>,
  limit: Limit = unlimited
): Effect.Effect<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =>
  Effect.gen(function*() {
    const client = yield* KpsClient.KpsClient
    const policy = options.policy === undefined
      ? WaitPolicy.default
      : WaitPolicy.isWaitPolicy(options.policy)
      ? options.policy
      : undefined
    const effective = policy ?? WaitPolicy.default
    const resumed = options.resume === undefined ? undefined : yield* decodeState(taskId, options.resume)
    const now = yield* Clock.currentTimeMillis
    const startedAt = resumed?.startedAt ?? now
    const deadline = options.deadline === undefined ? effective.deadline : yield* decodeDeadline(options.deadline)
    const notFoundGrace = options.notFoundGrace ?? 0
    if (!Number.isSafeInteger(notFoundGrace) || notFoundGrace < 0) {
      return yield* new KpsError.KpsInvalidInput({
        field: "notFoundGrace",
        description: `must be a whole number of polls, 0 or more, got ${String(notFoundGrace)}`
      })
    }
    const deadlineAt = resumed?.deadlineAt ?? startedAt + Duration.toMillis(deadline)
    const cadence = policy === undefined ? options.policy as Cadence : cadenceOf(policy)
    const span = yield* Effect.makeSpan("TaskWaiter.waitForTask", {
      attributes: { "kps.task_id": taskId },
      captureStackTrace: false
    })
    flatten(span.traceId)
    flatten(span.spanId)
    const wait: Wait = {
      taskId,
      client,
      cadence,
      retry: effective.retry,
      failOnUnknownStatus: options.onUnknownStatus === "fail",
      observe,
      limit,
      onState: options.onState,
      onRetry: options.onRetry,
      span,
      startedAt,
      deadlineAt,
      attempts: resumed?.attempts ?? 0,
      lastTask: undefined,
      retriesLeft: effective.retry.budget,
      notFoundLeft: notFoundGrace,
      cadenceState: cadence.initial,
      warned: undefined
    }
    // A resumed wait polls at once: time has passed while it was not running.
    const firstPoll = resumed === undefined
      ? Math.min(startedAt + Duration.toMillis(effective.initialDelay), deadlineAt)
      : now
    return { wait, firstPoll, now }
  }).pipe(Effect.flatMap(({ firstPoll, now, wait }) =>
    // Returned, not yielded, so no generator stays suspended for the whole wait. One finalizer
    // ends the span and records the duration, however the wait ends.
    Effect.onExit(loop(wait, firstPoll), (exit) =>
      Effect.flatMap(Clock.currentTimeNanos, (end) => {
        endSpan(wait, end, exit)
        return Metric.update(WaitMetrics.waitDuration, Number(end / 1_000_000n) - now)
      }))
  ))

/**
 * Ends the wait's span with what the wait came to: how many queries it sent, the last status it
 * read and, when it failed, the failure's tag as `error.type` (`TaskFailed`, `WaitTimeout`, a
 * `KpsError`'s; `_OTHER` for a defect, as OpenTelemetry's conventions say). Once per wait.
 */
const endSpan = (
  wait: Wait,
  end: bigint,
  exit: Exit.Exit<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError>
): void => {
  const span = wait.span
  span.attribute("kps.attempts", wait.attempts)
  const status = wait.lastTask?.taskStatus
  if (status !== undefined) span.attribute("kps.task_status", status)
  if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
    const failure = Cause.failureOption(exit.cause)
    span.attribute("error.type", Option.isSome(failure) ? failure.value._tag : "_OTHER")
  }
  span.end(end, exit)
}

/**
 * Effect's native tracer builds span ids a character at a time, which V8 keeps as a tree of ~45
 * string cells per span (about 1.5 KiB) until something flattens it. A wait holds its span for
 * minutes, so its ids are flattened at once (converting to a number flattens in place, as pino's
 * `flatstr` does).
 */
const flatten = (id: string): void => {
  Number(id)
}

const ignore = () => Effect.void

export const waitForTask = (
  taskId: string,
  options: WaitOptions = {}
): Effect.Effect<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =>
  run(taskId, options, ignore)

export const startNotFoundGrace = 2

export const startAndWait = <E, R>(
  start: Effect.Effect<TaskRef.TaskRef, E, R>,
  options: WaitOptions = {}
): Effect.Effect<
  KeypairTask.KeypairTask,
  E | TaskFailed | WaitTimeout | KpsError.KpsError,
  R | KpsClient.KpsClient
> =>
  start.pipe(
    Effect.tap((started) => Effect.annotateCurrentSpan("kps.task_id", started.taskId)),
    Effect.flatMap((started) =>
      run(started.taskId, { ...options, notFoundGrace: options.notFoundGrace ?? startNotFoundGrace }, ignore)
    ),
    Effect.withSpan("TaskWaiter.startAndWait", { captureStackTrace: false })
  )

/**
 * The task each time its status changes, the first observation included, ending after the
 * terminal one; a `FAILED_*` task is emitted, then the stream fails with `TaskFailed`, as any
 * wait that fails does.
 */
export const watchTask = (
  taskId: string,
  options: WaitOptions = {}
): Stream.Stream<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =>
  Stream.asyncScoped<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient>(
    (emit) => {
      let lastStatus: string | undefined | null = null
      const onChange = (task: KeypairTask.KeypairTask) => {
        if (task.taskStatus === lastStatus) return Effect.void
        lastStatus = task.taskStatus
        return Effect.promise(() => emit.single(task))
      }
      return run(taskId, options, onChange).pipe(
        Effect.matchCauseEffect({
          onSuccess: () => Effect.promise(() => emit.end()),
          onFailure: (cause) => Effect.promise(() => emit.halt(cause))
        }),
        Effect.forkScoped
      )
    }
  )

/** The shared limit of `waitForTasks`, unless its options make none. */
const limiter = (rateLimit: ManyOptions["rateLimit"]) => {
  const limit = rateLimit?.limit ?? 20
  const window = Duration.decodeUnknown(rateLimit?.window ?? Duration.seconds(1))
  return Number.isInteger(limit) && limit >= 1 && Option.isSome(window) && Duration.isFinite(window.value)
    ? SlidingWindow.make(limit, window.value)
    : Effect.fail(
      new KpsError.KpsInvalidInput({
        field: "rateLimit",
        description: "the limit must be a whole number from 1, and the window a finite duration"
      })
    )
}

/** A wait's outcome; a wait that dies ends as its task's `WaitDefect`, and the others go on. */
const outcome = <R>(
  taskId: string,
  wait: Effect.Effect<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, R>
): Effect.Effect<TaskOutcome, never, R> =>
  wait.pipe(
    Effect.catchAllCause((cause): Effect.Effect<never, Either.Either.Left<TaskOutcome["result"]>> =>
      Cause.isDie(cause) ? Effect.fail(WaitDefect.fromCause(taskId, cause)) : Effect.failCause(cause)
    ),
    Effect.either,
    Effect.map((result) => ({ taskId, result }))
  )

/** Many waits at once: each id once, `concurrency` at a time, all under one sliding-window limit. */
export const waitForTasks = (
  taskIds: Iterable<string>,
  options: ManyOptions = {}
): Stream.Stream<TaskOutcome, never, KpsClient.KpsClient> =>
  Stream.unwrapScoped(Effect.match(limiter(options.rateLimit), {
    // Options that cannot work fail every task, before any request.
    onFailure: (invalid) =>
      Stream.map(
        Stream.fromIterable(new Set(taskIds)),
        (taskId): TaskOutcome => ({ taskId, result: Either.left(invalid) })
      ),
    onSuccess: (limit) =>
      Stream.fromIterable(new Set(taskIds)).pipe(
        Stream.mapEffect((taskId) => outcome(taskId, run(taskId, options, ignore, limit)), {
          concurrency: options.concurrency ?? 16,
          unordered: true
        })
      )
  }))

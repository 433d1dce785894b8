import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsError from "@effect-kps/core/KpsError"
import type * as TaskRef from "@effect-kps/core/TaskRef"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
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
import type { WaitOptions } from "../TaskWaiter.js"
import type * as WaitDriver from "../WaitDriver.js"
import * as WaitMetrics from "../WaitMetrics.js"
import * as WaitPolicy from "../WaitPolicy.js"
import { WaitState } from "../WaitState.js"
import { TaskFailed, WaitTimeout } from "./errors.js"
import * as RetryAfter from "./retryAfter.js"

/** A saved state, checked before anything is sent: it must decode, and be this task's. */
export const decodeState = (taskId: string, saved: unknown) =>
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

export const sleepUntil = (wakeAt: number): Effect.Effect<void> =>
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

/**
 * The context our spans hand their tracer. Effect makes a new empty one (and its Map) for each
 * span given none: a sleeping wait holds its span, so they share this one.
 */
const spanContext = /* @__PURE__ */ Context.empty()

/** Observes nothing: `waitForTask`'s and `waitForTasks`'s. */
export const ignore = (): Effect.Effect<void> => Effect.void

/** Runs a request under a shared rate limit, when many waits share one. */
export type Limit = <A, E>(request: Effect.Effect<A, E>) => Effect.Effect<A, E>

const unlimited: Limit = (request) => request

/** The failures a wait ends with. */
export type WaitError = TaskFailed | WaitTimeout | KpsError.KpsError

/**
 * What the waits of one call share, checked once: the client, the policy, the hooks. One object,
 * however many waits point at it.
 */
export interface Settings {
  readonly client: KpsClient.KpsClient["Type"]
  readonly projectId: string | undefined
  readonly cadence: Cadence
  readonly retry: WaitPolicy.RetryPolicy
  readonly initialDelay: number
  readonly deadline: number
  readonly notFoundGrace: number
  readonly failOnUnknownStatus: boolean
  readonly observe: (task: KeypairTask.KeypairTask) => Effect.Effect<void>
  readonly limit: Limit
  readonly onState: WaitOptions["onState"]
  readonly onRetry: WaitOptions["onRetry"]
  readonly driver: WaitDriver.WaitDriver
}

/** Requests and sleeps as they are, in this process's memory. */
export const inMemory: WaitDriver.WaitDriver = {
  start: (fresh) => fresh,
  request: (_attempt, request) => request,
  sleep: (_attempt, wakeAt) => sleepUntil(wakeAt)
}

/**
 * One wait, as the little mutable state it carries between polls. Many waits sleep at once, so
 * what a sleeping wait holds is this record and its span: no fiber, no continuation.
 */
export interface Wait {
  readonly taskId: string
  readonly settings: Settings
  readonly span: Tracer.Span
  readonly startedAt: number
  readonly deadlineAt: number
  /** When this process took the wait up, for `WaitMetrics.waitDuration`. */
  readonly begunAt: number
  attempts: number
  lastTask: KeypairTask.KeypairTask | undefined
  retriesLeft: number
  /** Failed tries of the poll under way: the next retry waits 2^n base delays. */
  retryNumber: number
  notFoundLeft: number
  cadenceState: unknown
  /** Unknown statuses already warned about. */
  warned: Set<string> | undefined
}

/** The options of a wait, checked before anything is sent. */
export const settings = (
  options: WaitOptions,
  observe: (task: KeypairTask.KeypairTask) => Effect.Effect<void>,
  limit: Limit = unlimited,
  driver: WaitDriver.WaitDriver = inMemory
): Effect.Effect<Settings, KpsError.KpsInvalidInput, KpsClient.KpsClient> =>
  Effect.gen(function*() {
    const client = yield* KpsClient.KpsClient
    const policy = options.policy === undefined
      ? WaitPolicy.default
      : WaitPolicy.isWaitPolicy(options.policy)
      ? options.policy
      : undefined
    const effective = policy ?? WaitPolicy.default
    const deadline = options.deadline === undefined ? effective.deadline : yield* decodeDeadline(options.deadline)
    const notFoundGrace = options.notFoundGrace ?? 0
    if (!Number.isSafeInteger(notFoundGrace) || notFoundGrace < 0) {
      return yield* new KpsError.KpsInvalidInput({
        field: "notFoundGrace",
        description: `must be a whole number of polls, 0 or more, got ${String(notFoundGrace)}`
      })
    }
    return {
      client,
      projectId: options.projectId,
      cadence: policy === undefined ? options.policy as Cadence : cadenceOf(policy),
      retry: effective.retry,
      initialDelay: Duration.toMillis(effective.initialDelay),
      deadline: Duration.toMillis(deadline),
      notFoundGrace,
      failOnUnknownStatus: options.onUnknownStatus === "fail",
      observe,
      limit,
      onState: options.onState,
      onRetry: options.onRetry,
      driver
    }
  })

/** A new wait's state: it starts now and ends after the settings' deadline. */
export const fresh = (taskId: string, settings: Settings): Effect.Effect<WaitState> =>
  Effect.map(
    Clock.currentTimeMillis,
    (now) => new WaitState({ taskId, startedAt: now, deadlineAt: now + settings.deadline, attempts: 0 })
  )

/**
 * Takes a wait up: its record, its span, and when it polls first. A resumed wait keeps its start
 * and deadline, and polls at once: time has passed while it was not running. A wait its driver
 * started (`started`) keeps them too, and polls after the policy's initial delay from its start,
 * as a new one does.
 */
export const begin = (
  taskId: string,
  settings: Settings,
  resumed: WaitState | undefined,
  started?: WaitState
): Effect.Effect<{ readonly wait: Wait; readonly firstPoll: number }> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const origin = resumed ?? started
    const startedAt = origin?.startedAt ?? now
    const deadlineAt = origin?.deadlineAt ?? startedAt + settings.deadline
    return Effect.map(
      Effect.makeSpan("TaskWaiter.waitForTask", {
        attributes: { "kps.task_id": taskId },
        captureStackTrace: false,
        context: spanContext
      }),
      (span) => {
        flatten(span.traceId)
        flatten(span.spanId)
        const wait: Wait = {
          taskId,
          settings,
          span,
          startedAt,
          deadlineAt,
          begunAt: now,
          attempts: origin?.attempts ?? 0,
          lastTask: undefined,
          retriesLeft: settings.retry.budget,
          retryNumber: 0,
          notFoundLeft: settings.notFoundGrace,
          cadenceState: settings.cadence.initial,
          warned: undefined
        }
        return {
          wait,
          firstPoll: resumed === undefined ? Math.min(startedAt + settings.initialDelay, deadlineAt) : now
        }
      }
    )
  })

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

/** One request, timed from its grant, in its span: it may not outlive the wait. */
const send = (wait: Wait) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const attempt = ++wait.attempts
    const { client, driver, projectId } = wait.settings
    const timeout = Duration.min(client.timeout, Duration.millis(Math.max(1, wait.deadlineAt - now)))
    const request = Effect.zipRight(
      Metric.increment(WaitMetrics.polls),
      client.getTask(wait.taskId, projectId === undefined ? { timeout } : { timeout, projectId }).pipe(
        Effect.tap((task) => Effect.annotateCurrentSpan("kps.task_status", task.taskStatus ?? "")),
        // Every line logged in the poll (the client's, a transformClient's) names the task.
        Effect.annotateLogs("kps.task_id", wait.taskId),
        Effect.withSpan("TaskWaiter.poll", {
          attributes: { "kps.task_id": wait.taskId, "kps.attempt": attempt },
          captureStackTrace: false,
          context: spanContext,
          parent: wait.span
        })
      )
    )
    return driver === inMemory ? request : driver.request(attempt, request)
  })

/**
 * A request that failed: within the grace, a task not found yet reads as nothing; throttled and
 * transient failures are retried within the budget, after a backoff (or the server's Retry-After),
 * which the step answers as the time of the next try.
 */
const failed = (wait: Wait, error: KpsError.KpsError) =>
  Effect.gen(function*() {
    const { taskId } = wait
    const retry = wait.settings.retry
    const classification = KpsError.classify(error)
    if (classification === "throttled") yield* Metric.increment(WaitMetrics.throttles)
    if (isNotFound(error) && wait.notFoundLeft > 0) {
      wait.notFoundLeft--
      return yield* polled(wait, undefined)
    }
    if (classification === "terminal" || wait.retriesLeft === 0) return yield* Effect.fail(error)
    wait.retriesLeft--
    const backoff = Math.min(
      Duration.toMillis(retry.baseDelay) * 2 ** wait.retryNumber++,
      Duration.toMillis(retry.maxDelay)
    )
    const now = yield* Clock.currentTimeMillis
    const hinted = error._tag === "KpsApiError" ? RetryAfter.millis(error.retryAfter, now) : undefined
    const delay = Math.max(backoff, Math.min(hinted ?? 0, Duration.toMillis(retry.maxRetryAfter)))
    if (now >= wait.deadlineAt) return yield* timedOut(wait)
    // The last wait is shortened so that a last try happens at the deadline.
    const retryAt = Math.min(now + delay, wait.deadlineAt)
    yield* inWait(
      wait,
      Effect.logDebug("KPS poll failed; retrying").pipe(
        Effect.annotateLogs({ "kps.error": error._tag, "retry.delay_ms": retryAt - now })
      )
    )
    if (wait.settings.onRetry !== undefined) {
      yield* inWait(
        wait,
        wait.settings.onRetry({
          taskId,
          error,
          classification,
          attempt: wait.attempts,
          retriesLeft: wait.retriesLeft,
          delay: Duration.millis(retryAt - now)
        })
      )
    }
    return retryAt
  })

/**
 * A poll that read the task (or nothing, within the not-found grace): what it tells, and when to
 * poll next.
 */
const polled = (
  wait: Wait,
  task: KeypairTask.KeypairTask | undefined
): Effect.Effect<KeypairTask.KeypairTask | number, WaitError> => {
  const settings = wait.settings
  wait.retryNumber = 0
  // Written without a generator, and with no effect at all for a hook that is not there: this
  // runs on every poll.
  let hooks = settings.onState === undefined ? undefined : inWait(
    wait,
    settings.onState(
      new WaitState({
        taskId: wait.taskId,
        startedAt: wait.startedAt,
        deadlineAt: wait.deadlineAt,
        attempts: wait.attempts,
        lastStatus: (task ?? wait.lastTask)?.taskStatus
      })
    )
  )
  if (task === undefined) return andThen(hooks, nextPoll(wait, undefined))
  wait.lastTask = task
  if (settings.observe !== ignore) hooks = andThen(hooks, inWait(wait, settings.observe(task)))
  switch (task.phase) {
    case "succeeded":
      return andThen(hooks, Effect.succeed(task))
    case "failed":
      return andThen(hooks, Effect.fail(new TaskFailed({ task })))
    case "unknown": {
      if (settings.failOnUnknownStatus) return andThen(hooks, Effect.fail(new TaskFailed({ task })))
      const status = task.taskStatus ?? "(none)"
      wait.warned ??= new Set()
      if (!wait.warned.has(status)) {
        wait.warned.add(status)
        hooks = andThen(
          hooks,
          inWait(
            wait,
            Effect.logWarning(`Task ${wait.taskId} reports an unknown status ${status}; waiting on as pending`)
          )
        )
      }
    }
  }
  return andThen(hooks, nextPoll(wait, task))
}

const andThen = <A, E>(
  first: Effect.Effect<void, E> | undefined,
  then: Effect.Effect<A, E>
): Effect.Effect<A, E> => first === undefined ? then : Effect.zipRight(first, then)

/** When the wait polls next, as its cadence says, never after its deadline. */
const nextPoll = (wait: Wait, task: KeypairTask.KeypairTask | undefined): Effect.Effect<number, WaitTimeout> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    now >= wait.deadlineAt
      ? timedOut(wait)
      : Effect.flatMap(wait.settings.cadence.step(now, task, wait.cadenceState), ([state, , decision]) => {
        wait.cadenceState = state
        if (ScheduleDecision.isDone(decision)) return timedOut(wait)
        // The last sleep is shortened so that a last poll happens at the deadline.
        const wakeAt = Math.min(ScheduleIntervals.start(decision.intervals), wait.deadlineAt)
        wait.span.attribute("kps.next_poll_delay_ms", wakeAt - now)
        return Effect.succeed(wakeAt)
      }))

/**
 * Runs `effect` under the wait's span and with its `kps.task_id` log annotation: the wait's own
 * logs and the hooks it calls. Not the whole step: each change of a fiber's values copies them
 * all, so a poll names its parent span itself and sets its own annotation.
 */
const inWait = <A, E>(wait: Wait, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  effect.pipe(Effect.withParentSpan(wait.span), Effect.annotateLogs("kps.task_id", wait.taskId))

/**
 * Everything between two sleeps: one request and what it tells. Ends with the task when it
 * succeeded, or with the time of the next request (a poll, or the retry of a failed one). Every
 * wait steps through this, alone (`waitForTask`) or many on a few fibers (`waitForTasks`).
 */
export const step = (wait: Wait): Effect.Effect<KeypairTask.KeypairTask | number, WaitError> =>
  Effect.flatMap(
    Effect.either(wait.settings.limit(send(wait))),
    (result): Effect.Effect<KeypairTask.KeypairTask | number, WaitError> =>
      Either.isRight(result) ? polled(wait, result.right) : failed(wait, result.left)
  )

/**
 * Ends a wait: its span gets what the wait came to, and `WaitMetrics.waitDuration` its length.
 * Once per wait, however it ends.
 */
export const finish = (wait: Wait, exit: Exit.Exit<KeypairTask.KeypairTask, WaitError>): Effect.Effect<void> =>
  Effect.flatMap(Clock.currentTimeNanos, (end) => {
    endSpan(wait, end, exit)
    return Metric.update(WaitMetrics.waitDuration, Number(end / 1_000_000n) - wait.begunAt)
  })

const loop = (wait: Wait, wakeAt: number): Effect.Effect<KeypairTask.KeypairTask, WaitError> =>
  Effect.flatMap(
    wait.settings.driver.sleep(wait.attempts + 1, wakeAt),
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
  driver: WaitDriver.WaitDriver = inMemory
): Effect.Effect<KeypairTask.KeypairTask, WaitError, KpsClient.KpsClient> =>
  Effect.gen(function*() {
    const resumed = options.resume === undefined ? undefined : yield* decodeState(taskId, options.resume)
    const checked = yield* settings(options, observe, unlimited, driver)
    if (resumed !== undefined || driver === inMemory) return yield* begin(taskId, checked, resumed)
    const started = yield* driver.start(fresh(taskId, checked))
    return yield* begin(taskId, checked, undefined, yield* decodeState(taskId, started))
  }).pipe(Effect.flatMap(({ firstPoll, wait }) =>
    // Returned, not yielded, so no generator stays suspended for the whole wait.
    Effect.onExit(loop(wait, firstPoll), (exit) => finish(wait, exit))
  ))

/**
 * Ends the wait's span with what the wait came to: how many queries it sent, the last status it
 * read and, when it failed, the failure's tag as `error.type` (`TaskFailed`, `WaitTimeout`, a
 * `KpsError`'s; `_OTHER` for a defect, as OpenTelemetry's conventions say).
 */
const endSpan = (wait: Wait, end: bigint, exit: Exit.Exit<KeypairTask.KeypairTask, WaitError>): void => {
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

export const waitForTask = (
  taskId: string,
  options: WaitOptions = {}
): Effect.Effect<KeypairTask.KeypairTask, WaitError, KpsClient.KpsClient> => run(taskId, options, ignore)

export const waitForTaskDriven = (
  taskId: string,
  options: WaitOptions,
  driver: WaitDriver.WaitDriver
): Effect.Effect<KeypairTask.KeypairTask, WaitError, KpsClient.KpsClient> => run(taskId, options, ignore, driver)

export const startNotFoundGrace = 2

export const startAndWait = <E, R>(
  start: Effect.Effect<TaskRef.TaskRef, E, R>,
  options: WaitOptions = {}
): Effect.Effect<KeypairTask.KeypairTask, E | WaitError, R | KpsClient.KpsClient> =>
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
): Stream.Stream<KeypairTask.KeypairTask, WaitError, KpsClient.KpsClient> =>
  Stream.asyncScoped<KeypairTask.KeypairTask, WaitError, KpsClient.KpsClient>(
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

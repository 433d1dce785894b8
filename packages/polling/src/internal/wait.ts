import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsError from "@effect-kps/core/KpsError"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as ParseResult from "effect/ParseResult"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ManyOptions, TaskOutcome, WaitOptions } from "../TaskWaiter.js"
import * as WaitMetrics from "../WaitMetrics.js"
import * as WaitPolicy from "../WaitPolicy.js"
import { WaitState } from "../WaitState.js"
import { TaskFailed, WaitTimeout } from "./errors.js"
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
          description: `the saved wait state does not decode: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
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

/** A task the service says it does not know (yet): tolerated for `notFoundGrace` polls. */
const isNotFound = (error: KpsError.KpsError) =>
  error._tag === "KpsApiError" && (error.status === 404 || error.errorCode === "KPS.0001")

const sleepUntil = (wakeAt: number) =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now) => wakeAt > now ? Effect.sleep(Duration.millis(wakeAt - now)) : Effect.void
  )

/**
 * The wait itself: polls until the task ends, calling `observe` with every task a poll reads.
 * `waitForTask` observes nothing; `watchTask` emits the changes.
 */
export const run = (
  taskId: string,
  options: WaitOptions,
  observe: (task: KeypairTask.KeypairTask) => Effect.Effect<void>,
  /** Runs before every request: a shared rate limit, when many waits share one. */
  beforeRequest: Effect.Effect<void> = Effect.void
): Effect.Effect<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =>
  Effect.gen(function*() {
    const client = yield* KpsClient.KpsClient
    const policy = options.policy === undefined
      ? WaitPolicy.default
      : WaitPolicy.isWaitPolicy(options.policy)
      ? options.policy
      : undefined
    const cadence: Schedule.Schedule<unknown, KeypairTask.KeypairTask | undefined> = policy === undefined
      ? options.policy as Schedule.Schedule<unknown, KeypairTask.KeypairTask | undefined>
      : WaitPolicy.schedule(policy)
    const effective = policy ?? WaitPolicy.default
    const retry = effective.retry
    const deadline = options.deadline === undefined
      ? effective.deadline
      : Duration.decode(options.deadline)
    const onUnknownStatus = options.onUnknownStatus ?? "pending"
    const warned = new Set<string>()

    const resumed = options.resume === undefined ? undefined : yield* decodeState(taskId, options.resume)
    const startedAt = resumed?.startedAt ?? (yield* Clock.currentTimeMillis)
    const deadlineAt = resumed?.deadlineAt ?? startedAt + Duration.toMillis(deadline)
    let attempts = resumed?.attempts ?? 0
    let lastTask: KeypairTask.KeypairTask | undefined = undefined
    let retriesLeft = retry.budget
    let notFoundLeft = options.notFoundGrace ?? 0
    let cadenceState: unknown = cadence.initial

    const timedOut = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.fail(
        new WaitTimeout({ taskId, task: lastTask, attempts, elapsed: Duration.millis(now - startedAt) })
      ))

    /** One poll, retrying throttled and transient failures; `undefined`: not found, within grace. */
    const poll = Effect.gen(function*() {
      for (let retryNumber = 0;; retryNumber++) {
        yield* beforeRequest
        const now = yield* Clock.currentTimeMillis
        attempts++
        // The request may not outlive the wait.
        const timeout = Duration.min(client.timeout, Duration.millis(Math.max(1, deadlineAt - now)))
        yield* Metric.increment(WaitMetrics.polls)
        const result = yield* Effect.either(
          client.getTask(taskId, { timeout }).pipe(
            Effect.tap((task) => Effect.annotateCurrentSpan("kps.task_status", task.taskStatus ?? "")),
            Effect.withSpan("TaskWaiter.poll", { attributes: { "kps.task_id": taskId, "kps.attempt": attempts } })
          )
        )
        if (Either.isRight(result)) return result.right
        const error = result.left
        if (KpsError.classify(error) === "throttled") yield* Metric.increment(WaitMetrics.throttles)
        if (isNotFound(error) && notFoundLeft > 0) {
          notFoundLeft--
          return undefined
        }
        if (KpsError.classify(error) === "terminal" || retriesLeft === 0) return yield* Effect.fail(error)
        retriesLeft--
        const backoff = Math.min(
          Duration.toMillis(retry.baseDelay) * 2 ** retryNumber,
          Duration.toMillis(retry.maxDelay)
        )
        const after = yield* Clock.currentTimeMillis
        const hinted = error._tag === "KpsApiError" ? RetryAfter.millis(error.retryAfter, after) : undefined
        const wait = Math.max(backoff, Math.min(hinted ?? 0, Duration.toMillis(retry.maxRetryAfter)))
        if (after >= deadlineAt) return yield* timedOut
        yield* Effect.logDebug("KPS poll failed; retrying").pipe(
          Effect.annotateLogs({ "kps.task_id": taskId, "kps.error": error._tag, "retry.delay_ms": wait })
        )
        // The last wait is shortened so that a last try happens at the deadline.
        yield* sleepUntil(Math.min(after + wait, deadlineAt))
      }
    })

    // A resumed wait polls at once: time has passed while it was not running.
    if (resumed === undefined) {
      yield* sleepUntil(
        Math.min(startedAt + Duration.toMillis(effective.initialDelay), deadlineAt)
      )
    }
    for (;;) {
      const task = yield* poll
      if (options.onState !== undefined) {
        yield* options.onState(
          new WaitState({ taskId, startedAt, deadlineAt, attempts, lastStatus: (task ?? lastTask)?.taskStatus })
        )
      }
      if (task !== undefined) {
        lastTask = task
        yield* observe(task)
        switch (task.phase) {
          case "succeeded":
            return task
          case "failed":
            return yield* new TaskFailed({ task })
          case "unknown": {
            if (onUnknownStatus === "fail") return yield* new TaskFailed({ task })
            const status = task.taskStatus ?? "(none)"
            if (!warned.has(status)) {
              warned.add(status)
              yield* Effect.logWarning(`Task ${taskId} reports an unknown status ${status}; waiting on as pending`)
            }
          }
        }
      }
      const now = yield* Clock.currentTimeMillis
      if (now >= deadlineAt) return yield* timedOut
      const [state, , decision] = yield* cadence.step(now, task, cadenceState)
      cadenceState = state
      if (ScheduleDecision.isDone(decision)) return yield* timedOut
      // The last sleep is shortened so that a last poll happens at the deadline.
      const wakeAt = Math.min(ScheduleIntervals.start(decision.intervals), deadlineAt)
      yield* Effect.annotateCurrentSpan("kps.next_poll_delay_ms", wakeAt - now)
      yield* sleepUntil(wakeAt)
    }
  }).pipe(
    recordDuration,
    Effect.annotateLogs({ "kps.task_id": taskId }),
    Effect.withSpan("TaskWaiter.waitForTask", { attributes: { "kps.task_id": taskId } })
  )

/** Records how long a wait took, however it ended. */
const recordDuration = <A, E, R>(wait: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Clock.currentTimeMillis, (start) =>
    Effect.ensuring(
      wait,
      Effect.flatMap(Clock.currentTimeMillis, (end) => Metric.update(WaitMetrics.waitDuration, end - start))
    ))

export const waitForTask = (
  taskId: string,
  options: WaitOptions = {}
): Effect.Effect<KeypairTask.KeypairTask, TaskFailed | WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =>
  run(taskId, options, () => Effect.void)

/**
 * The task each time its status changes, the first observation included, ending after the
 * terminal one (a `FAILED_*` task is emitted, then the stream ends); a wait that fails (deadline,
 * an error that cannot heal) fails the stream.
 */
export const watchTask = (
  taskId: string,
  options: WaitOptions = {}
): Stream.Stream<KeypairTask.KeypairTask, WaitTimeout | KpsError.KpsError, KpsClient.KpsClient> =>
  Stream.asyncScoped<KeypairTask.KeypairTask, WaitTimeout | KpsError.KpsError, KpsClient.KpsClient>((emit) => {
    let lastStatus: string | undefined | null = null
    const onChange = (task: KeypairTask.KeypairTask) => {
      if (task.taskStatus === lastStatus) return Effect.void
      lastStatus = task.taskStatus
      return Effect.promise(() => emit.single(task))
    }
    return run(taskId, options, onChange).pipe(
      // A failed task was emitted: it ends the stream like any terminal status.
      Effect.catchTag("TaskFailed", () => Effect.void),
      Effect.matchCauseEffect({
        onSuccess: () => Effect.promise(() => emit.end()),
        onFailure: (cause) => Effect.promise(() => emit.halt(cause))
      }),
      Effect.forkScoped
    )
  })

/** Many waits at once: each id once, `concurrency` at a time, all under one sliding-window limit. */
export const waitForTasks = (
  taskIds: Iterable<string>,
  options: ManyOptions = {}
): Stream.Stream<TaskOutcome, never, KpsClient.KpsClient> =>
  Stream.unwrap(Effect.map(
    SlidingWindow.make(
      options.rateLimit?.limit ?? 20,
      Duration.decode(options.rateLimit?.window ?? Duration.seconds(1))
    ),
    (acquire) =>
      Stream.fromIterable(new Set(taskIds)).pipe(
        Stream.mapEffect(
          (taskId) =>
            Effect.map(
              Effect.either(run(taskId, options, () => Effect.void, acquire)),
              (result) => ({ taskId, result })
            ),
          { concurrency: options.concurrency ?? 16, unordered: true }
        )
      )
  ))

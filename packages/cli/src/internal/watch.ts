import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import * as KpsClient from "@effect-kps/core/KpsClient"
import type * as KpsError from "@effect-kps/core/KpsError"
import * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import * as WaitPolicy from "@effect-kps/polling/WaitPolicy"
import * as Terminal from "@effect/platform/Terminal"
import * as Arr from "effect/Array"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as RateLimiter from "effect/RateLimiter"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as CliOptions from "./options.js"
import * as Render from "./render.js"

/** How to wait, and how to show it. */
export interface Options {
  readonly json: boolean
  readonly policy: WaitPolicy.WaitPolicy
  readonly deadline?: Duration.Duration | undefined
  /** "Not found" answers taken as "not there yet": for a task started a moment ago. */
  readonly notFoundGrace?: number | undefined
}

/** How long a wait lasts unless `--timeout` says otherwise. */
export const defaultDeadline: Duration.Duration = /* @__PURE__ */ Duration.minutes(30)

/** The wait that `--timeout`, `--interval` and `--json` ask for. */
export const options = (timing: CliOptions.WaitTiming, json: boolean): Options => ({
  json,
  deadline: Option.getOrElse(timing.timeout, () => defaultDeadline),
  policy: Option.match(timing.interval, { onNone: () => WaitPolicy.default, onSome: WaitPolicy.fixed })
})

/** Why a wait did not end with a task that succeeded. */
export type WaitError =
  | TaskWaiter.TaskFailed
  | TaskWaiter.WaitTimeout
  | Exclude<KpsError.KpsError, KpsError.KpsInvalidInput>

/** How the wait on one task ended. */
export interface Outcome {
  readonly taskId: string
  readonly result: Either.Either<KeypairTask.KeypairTask, WaitError>
}

/**
 * KPS allows about 20 requests a second per user (section 2 of the API notes): the waits of one
 * command share that, retries included.
 */
const rateLimit = { limit: 20, interval: Duration.seconds(1) } as const

interface Seen {
  readonly task: KeypairTask.KeypairTask | undefined
  /** Requests sent, failed ones included. */
  readonly attempts: number
  /** The retry under way, and when its next try goes out (Clock milliseconds). */
  readonly retry: { readonly retry: TaskWaiter.Retry; readonly nextAt: number } | undefined
  /** When the wait ended (Clock milliseconds), and the failure it ended with, if any. */
  readonly ended: { readonly at: number; readonly error: WaitError | undefined } | undefined
}

const unseen: Seen = { task: undefined, attempts: 0, retry: undefined, ended: undefined }

/** One task being waited on, and what its wait has seen so far. */
interface Row {
  readonly taskId: string
  readonly seen: Ref.Ref<Seen>
}

/**
 * Requests sent once the wait failed with `error`. Every request before the last was reported
 * (a poll by `onState`, a retry by `onRetry`); a request that ends the wait is not: a KPS answer
 * or transport failure is that one more request.
 */
const attemptsAfter = (
  error: TaskWaiter.TaskFailed | TaskWaiter.WaitTimeout | KpsError.KpsError,
  reported: number
): number => {
  switch (error._tag) {
    case "WaitTimeout":
      return error.attempts
    case "KpsApiError":
    case "KpsDecodeError":
    case "KpsTransportError":
      return reported + 1
    default:
      return reported
  }
}

/** Prints a wait's status changes and retries as lines: JSON Lines, or text (labelled by task). */
interface Printer {
  readonly progress: (progress: Render.Progress) => Effect.Effect<void>
  readonly retry: (retrying: Render.Retrying & { readonly elapsedMillis: number }) => Effect.Effect<void>
}

const printer = (json: boolean, label: (line: string) => string): Printer =>
  json
    ? {
      progress: (progress) => Console.log(Render.progressJson(progress)),
      retry: (retrying) => Console.log(Render.retryJson(retrying))
    }
    : {
      progress: (progress) => Console.log(label(Render.progressLine(progress))),
      retry: (retrying) => Console.log(label(Render.retryText(retrying)))
    }

/**
 * Waits on one task, noting what it sees in its row and printing it when `print` is given.
 * Succeeds with the outcome, whatever it is; fails only when the task id cannot be sent
 * (`KpsInvalidInput`): a usage error, which ends every wait.
 */
const follow = (
  row: Row,
  startedAt: number,
  options: Options,
  print: Printer | undefined
): Effect.Effect<Outcome, KpsError.KpsInvalidInput, KpsClient.KpsClient> => {
  const { seen, taskId } = row
  const onRetry = (retry: TaskWaiter.Retry) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const nextInMillis = Duration.toMillis(retry.delay)
      const noted = Ref.update(
        seen,
        (current) => ({ ...current, attempts: retry.attempt, retry: { retry, nextAt: now + nextInMillis } })
      )
      return print === undefined
        ? noted
        : Effect.zipRight(noted, print.retry({ retry, nextInMillis, elapsedMillis: now - startedAt }))
    })
  const show = (task: KeypairTask.KeypairTask) =>
    print === undefined
      ? Effect.void
      : Effect.flatMap(
        Effect.all([Clock.currentTimeMillis, Ref.get(seen)]),
        ([now, { attempts }]) => print.progress({ task, elapsedMillis: now - startedAt, attempts })
      )
  const end = (error: WaitError | undefined) =>
    Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => Ref.update(seen, (current) => ({ ...current, retry: undefined, ended: { at: now, error } }))
    )

  return TaskWaiter.watchTask(taskId, {
    policy: options.policy,
    deadline: options.deadline,
    notFoundGrace: options.notFoundGrace,
    onState: (state) => Ref.update(seen, (current) => ({ ...current, attempts: state.attempts, retry: undefined })),
    onRetry
  }).pipe(
    Stream.tap((task) => Ref.update(seen, (current) => ({ ...current, task }))),
    Stream.tapError((error) =>
      Ref.update(seen, (current) => ({ ...current, attempts: attemptsAfter(error, current.attempts) }))
    ),
    Stream.tap(show),
    Stream.runLast,
    // The stream fails unless it ends after the task that succeeded.
    Effect.flatMap(Effect.orDie),
    Effect.matchEffect({
      onSuccess: (task) => Effect.as(end(undefined), { taskId, result: Either.right(task) }),
      onFailure: (error) =>
        error._tag === "KpsInvalidInput"
          ? Effect.fail(error)
          : Effect.as(end(error), { taskId, result: Either.left(error) })
    })
  )
}

/**
 * Waits on one or more tasks at once (each id once, in the order given), all under one rate
 * limit, and shows their progress: with `json`, one JSON object per status change and per retry
 * (JSON Lines, each with its `task_id`); on a terminal, one live row per task updated in place
 * (status, time waited, requests sent, the retry under way, how it ended); otherwise one plain
 * line per status change and per retry, prefixed with the task id when there are several.
 *
 * Answers every task's outcome, in the order given; fails only when a task id cannot be sent
 * (`KpsInvalidInput`), which stops every wait at once.
 */
export const watch = (
  taskIds: Arr.NonEmptyReadonlyArray<string>,
  options: Options
): Effect.Effect<
  Arr.NonEmptyReadonlyArray<Outcome>,
  KpsError.KpsInvalidInput,
  KpsClient.KpsClient | Terminal.Terminal
> =>
  Effect.gen(function*() {
    const terminal = yield* Terminal.Terminal
    const live = !options.json && (yield* terminal.isTTY)
    const startedAt = yield* Clock.currentTimeMillis
    const ids = Arr.dedupe(taskIds)
    const rows = yield* Effect.forEach(ids, (taskId) => Effect.map(Ref.make(unseen), (seen): Row => ({ taskId, seen })))
    const limit = yield* RateLimiter.make(rateLimit)
    const label = (taskId: string) => (line: string) => ids.length > 1 ? Render.forTask(taskId, line) : line
    const waits = Effect.forEach(
      rows,
      (row) => follow(row, startedAt, options, live ? undefined : printer(options.json, label(row.taskId))),
      { concurrency: "unbounded" }
    ).pipe(
      Effect.updateService(KpsClient.KpsClient, (client) => ({
        ...client,
        getTask: (taskId, callOptions) => limit(client.getTask(taskId, callOptions))
      }))
    )
    return yield* (live ? showLive(rows, waits, startedAt, terminal) : waits)
  }).pipe(Effect.scoped)

const showLive = <A, E, R>(
  rows: ReadonlyArray<Row>,
  waiting: Effect.Effect<A, E, R>,
  startedAt: number,
  terminal: Terminal.Terminal
) =>
  Effect.gen(function*() {
    const colored = yield* Render.colors
    const frame = yield* Ref.make(0)
    const draw = (final: boolean) =>
      Effect.all([
        Effect.forEach(rows, (row) => Ref.get(row.seen)),
        Ref.getAndUpdate(frame, (n) => n + 1),
        Clock.currentTimeMillis
      ]).pipe(
        Effect.flatMap(([seen, n, now]) =>
          terminal.display(
            Render.liveRows(
              rows.map(({ taskId }, i): Render.Live => {
                const { attempts, ended, retry, task } = seen[i]
                return {
                  taskId,
                  task,
                  elapsedMillis: (ended?.at ?? now) - startedAt,
                  attempts,
                  retrying: retry === undefined ? undefined : { retry: retry.retry, nextInMillis: retry.nextAt - now },
                  note: ended?.error === undefined ? undefined : Render.endNote(ended.error),
                  frame: n,
                  done: final || ended !== undefined,
                  color: colored
                }
              }),
              n === 0
            ) + (final ? "\n" : "")
          )
        ),
        // A closed terminal is no reason to stop waiting.
        Effect.ignore
      )
    // The ticker stops with its scope, before the last, final drawing.
    return yield* Effect.forkScoped(Effect.repeat(draw(false), Schedule.spaced("80 millis"))).pipe(
      Effect.zipRight(waiting),
      Effect.scoped,
      Effect.ensuring(draw(true))
    )
  })

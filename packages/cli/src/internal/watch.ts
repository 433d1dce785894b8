import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsClient from "@effect-kps/core/KpsClient"
import type * as KpsError from "@effect-kps/core/KpsError"
import * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import type * as WaitPolicy from "@effect-kps/polling/WaitPolicy"
import * as Terminal from "@effect/platform/Terminal"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Render from "./render.js"

/** How to wait, and how to show it. */
export interface Options {
  readonly json: boolean
  readonly policy: WaitPolicy.WaitPolicy
  readonly deadline?: Duration.Duration | undefined
}

/** Colours unless `NO_COLOR` is set (https://no-color.org). */
const color = /* @__PURE__ */ Config.option(Config.string("NO_COLOR")).pipe(
  Config.map(Option.isNone),
  Config.withDefault(true)
)

interface Seen {
  readonly task: KeypairTask.KeypairTask | undefined
  /** Requests sent, failed ones included. */
  readonly attempts: number
  /** The retry under way, and when its next try goes out (Clock milliseconds). */
  readonly retry: { readonly retry: TaskWaiter.Retry; readonly nextAt: number } | undefined
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

/**
 * Waits on a task and shows its progress: with `json`, one JSON object per status change and per
 * retry (JSON Lines); on a terminal, one live line updated in place (status, time waited, requests
 * sent, the retry under way); otherwise one plain line per status change and per retry. Succeeds
 * with the task once it succeeded; fails with `TaskFailed`, `WaitTimeout` or the `KpsError` that
 * ended the wait, as `watchTask` does.
 */
export const watch = (
  taskId: string,
  options: Options
): Effect.Effect<
  KeypairTask.KeypairTask,
  TaskWaiter.TaskFailed | TaskWaiter.WaitTimeout | KpsError.KpsError,
  KpsClient.KpsClient | Terminal.Terminal
> =>
  Effect.gen(function*() {
    const terminal = yield* Terminal.Terminal
    const live = !options.json && (yield* terminal.isTTY)
    const startedAt = yield* Clock.currentTimeMillis
    const seen = yield* Ref.make<Seen>({ task: undefined, attempts: 0, retry: undefined })
    const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - startedAt)

    const onRetry = (retry: TaskWaiter.Retry) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const nextInMillis = Duration.toMillis(retry.delay)
        const noted = Ref.update(
          seen,
          (current) => ({ ...current, attempts: retry.attempt, retry: { retry, nextAt: now + nextInMillis } })
        )
        return live ? noted : Effect.zipRight(
          noted,
          Console.log(
            options.json
              ? Render.retryJson({ retry, nextInMillis, elapsedMillis: now - startedAt })
              : Render.retryText({ retry, nextInMillis })
          )
        )
      })
    const show = (task: KeypairTask.KeypairTask) =>
      live ? Effect.void : Effect.flatMap(Effect.all([elapsed, Ref.get(seen)]), ([elapsedMillis, { attempts }]) => {
        const progress = { task, elapsedMillis, attempts }
        return Console.log(options.json ? Render.progressJson(progress) : Render.progressLine(progress))
      })

    const changes = TaskWaiter.watchTask(taskId, {
      policy: options.policy,
      deadline: options.deadline,
      onState: (state) => Ref.update(seen, (current) => ({ ...current, attempts: state.attempts, retry: undefined })),
      onRetry
    }).pipe(
      Stream.tap((task) => Ref.update(seen, (current) => ({ ...current, task }))),
      Stream.tapError((error) =>
        Ref.update(
          seen,
          (current) => ({ ...current, attempts: attemptsAfter(error, current.attempts), retry: undefined })
        )
      ),
      Stream.tap(show),
      Stream.runLast,
      // The stream fails unless it ends after the task that succeeded.
      Effect.flatMap(Effect.orDie)
    )
    return yield* (live ? showLive(taskId, changes, seen, elapsed, terminal) : changes)
  })

const showLive = <A, E, R>(
  taskId: string,
  waiting: Effect.Effect<A, E, R>,
  seen: Ref.Ref<Seen>,
  elapsed: Effect.Effect<number>,
  terminal: Terminal.Terminal
) =>
  Effect.gen(function*() {
    const colored = yield* Effect.orElseSucceed(color, () => true)
    const frame = yield* Ref.make(0)
    const draw = (done: boolean) =>
      Effect.all([Ref.get(seen), elapsed, Ref.getAndUpdate(frame, (n) => n + 1), Clock.currentTimeMillis]).pipe(
        Effect.flatMap(([{ attempts, retry, task }, elapsedMillis, n, now]) =>
          terminal.display(
            Render.liveLine({
              taskId,
              task,
              elapsedMillis,
              attempts,
              retrying: retry === undefined ? undefined : { retry: retry.retry, nextInMillis: retry.nextAt - now },
              frame: n,
              done,
              color: colored
            }) + (done ? "\n" : "")
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

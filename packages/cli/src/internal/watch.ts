import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsClient from "@effect-kps/core/KpsClient"
import type * as KpsError from "@effect-kps/core/KpsError"
import * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import type * as WaitPolicy from "@effect-kps/polling/WaitPolicy"
import * as Terminal from "@effect/platform/Terminal"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import type * as Duration from "effect/Duration"
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
  readonly attempts: number
}

/**
 * Waits on a task and shows its progress: with `json`, one JSON object per status change (JSON
 * Lines); on a terminal, one live line updated in place (status, time waited, requests sent);
 * otherwise one plain line per status change. Succeeds with the task once it succeeded; fails with
 * `TaskFailed`, `WaitTimeout` or the `KpsError` that ended the wait.
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
    const seen = yield* Ref.make<Seen>({ task: undefined, attempts: 0 })
    const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - startedAt)
    const changes = TaskWaiter.watchTask(taskId, {
      policy: options.policy,
      deadline: options.deadline,
      onState: (state) => Ref.update(seen, (current) => ({ ...current, attempts: state.attempts }))
    }).pipe(Stream.tap((task) => Ref.update(seen, (current) => ({ ...current, task }))))

    if (live) {
      yield* showLive(taskId, changes, seen, elapsed, terminal)
    } else {
      yield* Stream.runForEach(changes, (task) =>
        Effect.flatMap(Effect.all([elapsed, Ref.get(seen)]), ([elapsedMillis, { attempts }]) => {
          const progress = { task, elapsedMillis, attempts }
          return Console.log(options.json ? Render.progressJson(progress) : Render.progressLine(progress))
        }))
    }
    const { task } = yield* Ref.get(seen)
    // The stream ends after a terminal status, so a task was seen.
    if (task !== undefined && task.phase === "failed") {
      return yield* new TaskWaiter.TaskFailed({ task })
    }
    return task!
  })

const showLive = <E, R>(
  taskId: string,
  changes: Stream.Stream<KeypairTask.KeypairTask, E, R>,
  seen: Ref.Ref<Seen>,
  elapsed: Effect.Effect<number>,
  terminal: Terminal.Terminal
) =>
  Effect.gen(function*() {
    const colored = yield* Effect.orElseSucceed(color, () => true)
    const frame = yield* Ref.make(0)
    const draw = (done: boolean) =>
      Effect.all([Ref.get(seen), elapsed, Ref.getAndUpdate(frame, (n) => n + 1)]).pipe(
        Effect.flatMap(([{ attempts, task }, elapsedMillis, n]) =>
          terminal.display(
            Render.liveLine({ taskId, task, elapsedMillis, attempts, frame: n, done, color: colored }) +
              (done ? "\n" : "")
          )
        ),
        // A closed terminal is no reason to stop waiting.
        Effect.ignore
      )
    // The ticker stops with its scope, before the last, final drawing.
    yield* Effect.forkScoped(Effect.repeat(draw(false), Schedule.spaced("80 millis"))).pipe(
      Effect.zipRight(Stream.runDrain(changes)),
      Effect.scoped,
      Effect.ensuring(draw(true))
    )
  })

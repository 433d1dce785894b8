import type * as KpsClient from "@effect-kps/core/KpsClient"
import { KpsInvalidInput } from "@effect-kps/core/KpsError"
import type * as KpsError from "@effect-kps/core/KpsError"
import type * as TaskRef from "@effect-kps/core/TaskRef"
import * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import * as Options from "@effect/cli/Options"
import type * as Terminal from "@effect/platform/Terminal"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as CliOptions from "./options.js"
import * as Render from "./render.js"
import * as Report from "./report.js"
import * as Watch from "./watch.js"

/** Whether to wait on the task started, and how: `--wait`, `--timeout`, `--interval`, `--json`. */
export interface Waiting {
  readonly wait: boolean
  readonly timing: CliOptions.WaitTiming
  readonly json: boolean
}

/** The options of a command that starts a task. */
export const options: Options.Options<Waiting> = /* @__PURE__ */ Options.all({
  wait: Options.boolean("wait").pipe(
    Options.withDescription("Wait until the task ends, as `kps-task wait` does, and exit with its code")
  ),
  timing: CliOptions.waitTiming,
  json: CliOptions.json(
    "Print the task started as JSON ({task_id, server_id}); with --wait, JSON Lines: that record (\"event\": " +
      "\"started\"), then one per status change and per retry"
  )
})

/** `--timeout` or `--interval` without `--wait` would be silently ignored: a usage error. */
const timingWithoutWait = (timing: CliOptions.WaitTiming): Option.Option<string> =>
  Option.isSome(timing.timeout)
    ? Option.some("--timeout")
    : Option.isSome(timing.interval)
    ? Option.some("--interval")
    : Option.none()

/**
 * Starts a task (`start` runs once: never retried, since a second start could start a second
 * task), then prints it: its id (or, with `--json`, `{task_id, server_id}`); with `--wait`, a line
 * saying it started, then its progress until it ends, as `kps-task wait` shows it, failing with
 * `wait`'s exit code when it did not succeed.
 */
export const run = (
  start: Effect.Effect<TaskRef.TaskRef, KpsError.KpsError, KpsClient.KpsClient>,
  waiting: Waiting
): Effect.Effect<
  void,
  KpsError.KpsError | Report.Reported,
  KpsClient.KpsClient | Terminal.Terminal
> =>
  Effect.gen(function*() {
    const { json, timing, wait } = waiting
    const misplaced = timingWithoutWait(timing)
    if (!wait && Option.isSome(misplaced)) {
      return yield* new KpsInvalidInput({ field: misplaced.value, description: "only means something with --wait" })
    }
    const started = yield* start
    if (!wait) {
      return yield* Console.log(json ? JSON.stringify(Render.taskRefJson(started)) : Render.safe(started.taskId))
    }
    yield* Console.log(
      json ? JSON.stringify({ event: "started", ...Render.taskRefJson(started) }) : Render.startedLine(started)
    )
    // The task was started a moment ago: a read may not see it yet.
    const outcomes = yield* Watch.watch([started.taskId], {
      ...Watch.options(timing, json),
      notFoundGrace: TaskWaiter.startNotFoundGrace
    })
    yield* Report.settle(outcomes)
  })

import * as WaitPolicy from "@effect-kps/polling/WaitPolicy"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Connection from "../connection.js"
import * as CliOptions from "../options.js"
import * as Watch from "../watch.js"

/** `kps-task wait <task-id>`: waits until the task ends, showing its progress. */
export const command = /* @__PURE__ */ Command.make(
  "wait",
  {
    taskId: Args.text({ name: "task-id" }).pipe(Args.withDescription("The task id a KPS operation answered with")),
    timeout: CliOptions.duration("timeout").pipe(
      Options.withDescription("Give up after this long, exit code 2 (default 30m)"),
      Options.optional
    ),
    interval: CliOptions.duration("interval").pipe(
      Options.withDescription(
        "Poll at this fixed interval (default: at once, then backing off from 1s to 15s with jitter)"
      ),
      Options.optional
    ),
    json: CliOptions.json,
    connection: Connection.options
  },
  ({ connection, interval, json, taskId, timeout }) =>
    Watch.watch(taskId, {
      json,
      deadline: Option.getOrElse(timeout, () => Duration.minutes(30)),
      policy: Option.match(interval, { onNone: () => WaitPolicy.default, onSome: WaitPolicy.fixed })
    }).pipe(Effect.asVoid, Effect.provide(Connection.layer(connection)))
).pipe(
  Command.withDescription(
    "Wait until a task ends: a live line on a terminal, one line per status change otherwise, JSON Lines with --json"
  )
)

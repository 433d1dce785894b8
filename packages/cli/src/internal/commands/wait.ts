import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Connection from "../connection.js"
import * as CliOptions from "../options.js"
import * as Report from "../report.js"
import * as Watch from "../watch.js"

/**
 * `kps-task wait <task-id>...`: waits until every task ends, showing their progress; exits with
 * the worst outcome.
 */
export const command = /* @__PURE__ */ Command.make(
  "wait",
  {
    taskIds: Args.text({ name: "task-id" }).pipe(
      Args.withDescription("The task ids KPS operations answered with (one or more)"),
      Args.atLeast(1)
    ),
    timing: CliOptions.waitTiming,
    json: CliOptions.json("Print JSON Lines: one JSON object per status change and per retry, with its task_id"),
    store: CliOptions.optional(
      Options.text("store"),
      "FILE",
      "Keep the waits in this SQLite file: run the same command again after a stop (even kill -9) to take them " +
        "up with the same deadlines; prints each task once it ends"
    ),
    connection: Connection.options
  },
  ({ connection, json, store, taskIds, timing }) =>
    Option.match(store, {
      onNone: () => Watch.watch(taskIds, Watch.options(timing, json)),
      onSome: (file) =>
        Effect.flatMap(
          Effect.promise(() => import("../durable.js")),
          (Durable) => Durable.wait(taskIds, Watch.options(timing, json), file)
        )
    }).pipe(
      Effect.flatMap(Report.settle),
      Effect.asVoid,
      Effect.provide(Connection.layer(connection))
    )
).pipe(
  Command.withDescription(
    "Wait until tasks end: live rows on a terminal, one line per status change otherwise, JSON Lines with --json; " +
      "exits with the worst outcome"
  )
)

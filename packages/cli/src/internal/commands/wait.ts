import { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Connection from "../connection.js"
import * as DurableOptions from "../durableOptions.js"
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
    postgres: DurableOptions.postgresOption(
      "Submit the waits to the fleet of `kps-task runner`s sharing this PostgreSQL database, and show them as they end"
    ),
    connection: Connection.options
  },
  ({ connection, json, postgres, store, taskIds, timing }) => {
    const options = Watch.options(timing, json)
    const projectId = Option.getOrUndefined(connection.projectId)
    const waits = Option.isSome(store) && Option.isSome(postgres)
      ? Effect.fail(new KpsInvalidInput({ field: "store", description: "--store and --postgres exclude each other" }))
      : Option.isSome(store)
      ? Effect.flatMap(
        Effect.promise(() => Promise.all([import("../durable.js"), import("@effect-kps/workflow/SqliteEngine")])),
        ([Durable, SqliteEngine]) =>
          Durable.wait(
            taskIds,
            options,
            projectId,
            SqliteEngine.layer({ filename: store.value }).pipe(
              Layer.provide(Durable.limited),
              Layer.provide(Connection.layer(connection))
            )
          )
      )
      : Option.isSome(postgres)
      ? Effect.flatMap(
        Effect.promise(() => Promise.all([import("../durable.js"), import("@effect-kps/workflow/PostgresEngine")])),
        ([Durable, PostgresEngine]) =>
          Durable.wait(taskIds, options, projectId, PostgresEngine.layerClient({ url: postgres.value }))
      )
      : Effect.provide(Watch.watch(taskIds, options), Connection.layer(connection))
    return waits.pipe(Effect.flatMap(Report.settle), Effect.asVoid)
  }
).pipe(
  Command.withDescription(
    "Wait until tasks end: live rows on a terminal, one line per status change otherwise, JSON Lines with --json; " +
      "exits with the worst outcome"
  )
)

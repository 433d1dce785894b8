import * as KpsClient from "@effect-kps/core/KpsClient"
import type * as KpsError from "@effect-kps/core/KpsError"
import * as TaskList from "@effect-kps/core/TaskList"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Connection from "../connection.js"
import * as Listing from "../listing.js"
import * as CliOptions from "../options.js"
import { safe } from "../render.js"
import * as Missing from "./missing.js"

const pageSize = /* @__PURE__ */ Options.integer("page-size").pipe(
  Options.withPseudoName("N"),
  Options.withDescription(`Tasks asked for per request, 1 to ${TaskList.pageLimits.max}`),
  Options.withDefault(TaskList.pageLimits.default)
)

/**
 * A command listing every task of a kind, all pages: a table, or with `--json` one JSON object per
 * task (JSON Lines), printed as the pages come.
 */
const list = <A, Name extends string>(
  name: Name,
  description: string,
  listing: Listing.Listing<A>,
  tasks: (options: KpsClient.ListOptions) => Stream.Stream<A, KpsError.KpsError, KpsClient.KpsClient>
) =>
  Command.make(
    name,
    {
      pageSize,
      json: CliOptions.json("Print JSON Lines: one JSON object per task, with the API's field names"),
      connection: Connection.options
    },
    ({ connection, json, pageSize }) => {
      const all = tasks({ pageSize })
      return (json
        ? Stream.runForEach(all, (task) => Console.log(JSON.stringify(listing.json(task))))
        : Effect.flatMap(
          Stream.runCollect(all),
          (collected) => Console.log(Listing.table(listing, Chunk.toReadonlyArray(collected)))
        )).pipe(Effect.provide(Connection.layer(connection)))
    }
  ).pipe(Command.withDescription(description))

/** `kps-task tasks running`: every task still running. */
const running = /* @__PURE__ */ list(
  "running",
  "List every task KPS is still running (all pages)",
  Listing.running,
  KpsClient.runningTasks
)

/** `kps-task tasks failed`: every failed task, and why it failed. */
const failed = /* @__PURE__ */ list(
  "failed",
  "List every failed task, with its error (all pages)",
  Listing.failed,
  KpsClient.failedTasks
)

/** `kps-task tasks clean [task-id]`: deletes one failed task, or all of them. */
const clean = /* @__PURE__ */ Command.make(
  "clean",
  {
    taskId: Args.text({ name: "task-id" }).pipe(
      Args.withDescription("The failed task to delete (default: every failed task of the project)"),
      Args.optional
    ),
    connection: Connection.options
  },
  ({ connection, taskId }) =>
    Option.match(taskId, {
      onNone: () => Effect.zipRight(KpsClient.deleteAllFailedTasks(), Console.log("deleted every failed task")),
      onSome: (id) => Effect.zipRight(KpsClient.deleteFailedTask(id), Console.log(`deleted failed task ${safe(id)}`))
    }).pipe(Effect.provide(Connection.layer(connection)))
).pipe(Command.withDescription("Delete one failed task, or every failed task of the project"))

/** `kps-task tasks`: the running and failed task lists. */
export const command = /* @__PURE__ */ Command.make(
  "tasks",
  {},
  () => Missing.subcommand("kps-task tasks", ["running", "failed", "clean"])
).pipe(
  Command.withDescription("List the running or failed tasks, delete failed ones"),
  Command.withSubcommands([running, failed, clean])
)

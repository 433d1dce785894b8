import * as KpsClient from "@effect-kps/core/KpsClient"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Connection from "../connection.js"
import * as CliOptions from "../options.js"
import * as Render from "../render.js"

/** `kps-task get <task-id>`: prints the task, as a table or, with `--json`, as JSON. */
export const command = /* @__PURE__ */ Command.make(
  "get",
  {
    taskId: Args.text({ name: "task-id" }).pipe(Args.withDescription("The task id a KPS operation answered with")),
    json: CliOptions.json("Print the task as one JSON object, with the API's field names"),
    connection: Connection.options
  },
  ({ connection, json, taskId }) =>
    KpsClient.getTask(taskId).pipe(
      Effect.flatMap((task) => Console.log(json ? JSON.stringify(Render.taskJson(task)) : Render.table(task))),
      Effect.provide(Connection.layer(connection))
    )
).pipe(Command.withDescription("Print a task: its status, phase, operation and server"))

import type * as TaskList from "@effect-kps/core/TaskList"
import * as DateTime from "effect/DateTime"
import { safe } from "./render.js"

/** One column of a task table: its header, and a task's cell. */
interface Column<A> {
  readonly header: string
  readonly cell: (task: A) => string
}

/** How to print one kind of listed task: as a table row, and as JSON. */
export interface Listing<A> {
  /** What the list holds, for an empty one: `running tasks`. */
  readonly noun: string
  readonly columns: ReadonlyArray<Column<A>>
  /** The task as JSON, with the API's own field names, plus its operation. */
  readonly json: (task: A) => Record<string, unknown>
}

const text = (value: string | undefined): string => value === undefined || value === "" ? "-" : safe(value)

/** `2024-01-02T03:04:05Z`: UTC, to the second. */
const time = (value: DateTime.Utc | undefined): string =>
  value === undefined ? "-" : DateTime.formatIso(value).replace(/\.\d{3}Z$/, "Z")

const listedColumns: ReadonlyArray<Column<TaskList.RunningTask | TaskList.FailedTask>> = [
  { header: "TASK ID", cell: (task) => text(task.taskId) },
  { header: "OPERATION", cell: (task) => text(task.operateType) },
  { header: "TIME", cell: (task) => time(task.taskTime) },
  { header: "SERVER NAME", cell: (task) => text(task.serverName) },
  { header: "SERVER ID", cell: (task) => text(task.serverId) },
  { header: "KEY PAIR", cell: (task) => text(task.keypairName) }
]

const listedJson = (task: TaskList.RunningTask | TaskList.FailedTask): Record<string, unknown> => ({
  task_id: task.taskId,
  operate_type: task.operateType ?? null,
  // Epoch milliseconds, as the TaskTime schema writes a time back to the wire.
  task_time: task.taskTime === undefined ? null : DateTime.toEpochMillis(task.taskTime),
  server_name: task.serverName ?? null,
  server_id: task.serverId ?? null,
  keypair_name: task.keypairName ?? null,
  operation: task.operation
})

/** The tasks still running. */
export const running: Listing<TaskList.RunningTask> = {
  noun: "running tasks",
  columns: listedColumns,
  json: listedJson
}

/** The tasks that failed, and why. */
export const failed: Listing<TaskList.FailedTask> = {
  noun: "failed tasks",
  columns: [
    ...listedColumns,
    {
      header: "ERROR",
      cell: (task) => text([task.errorCode, task.errorMessage].filter((part) => part !== "").join(": "))
    }
  ],
  json: (task) => ({
    ...listedJson(task),
    task_error_code: task.taskErrorCode ?? null,
    task_error_msg: task.taskErrorMsg ?? null
  })
}

/** The tasks as a table, a header row and a row per task, columns aligned; a sentence when there are none. */
export const table = <A>(listing: Listing<A>, tasks: ReadonlyArray<A>): string => {
  if (tasks.length === 0) return `no ${listing.noun}`
  const rows = [
    listing.columns.map((column) => column.header),
    ...tasks.map((task) => listing.columns.map((column) => column.cell(task)))
  ]
  const widths = listing.columns.map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  return rows
    .map((row) => row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join("  "))
    .join("\n")
}

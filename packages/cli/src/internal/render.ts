import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import type * as KpsError from "@effect-kps/core/KpsError"
import type * as TaskRef from "@effect-kps/core/TaskRef"
import type * as TaskWaiter from "@effect-kps/polling/TaskWaiter"
import * as Terminal from "@effect/platform/Terminal"
import * as Ansi from "@effect/printer-ansi/Ansi"
import * as AnsiDoc from "@effect/printer-ansi/AnsiDoc"
import * as Doc from "@effect/printer/Doc"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as DurationText from "./duration.js"
import * as Wording from "./wording.js"

/** `NO_COLOR` set to anything but the empty string (https://no-color.org). */
const noColor = /* @__PURE__ */ Config.option(Config.string("NO_COLOR")).pipe(
  Config.map(Option.exists((value) => value !== ""))
)

/**
 * Whether what goes to stdout is coloured: only on a terminal, and not under `NO_COLOR`. A pipe, a
 * file, a log gets plain text.
 */
export const colors: Effect.Effect<boolean, never, Terminal.Terminal> = /* @__PURE__ */ Effect.zipWith(
  Effect.flatMap(Terminal.Terminal, (terminal) => terminal.isTTY),
  Effect.orElseSucceed(noColor, () => false),
  (isTTY, noColor) => isTTY && !noColor
)

/**
 * Text from the server, made safe for a terminal: control characters (which could move the
 * cursor or change colours) become `?`.
 */
export const safe = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?")

const statusOf = (task: KeypairTask.KeypairTask): string => safe(task.taskStatus ?? "(no status)")

/** The task as a small two-column table, for `get`. */
export const table = (task: KeypairTask.KeypairTask): string => {
  const rows: ReadonlyArray<readonly [string, string]> = [
    ["task id", safe(task.taskId)],
    ["status", statusOf(task)],
    ["phase", task.phase],
    ["operation", task.operation],
    ["server id", task.serverId === undefined ? "-" : safe(task.serverId)]
  ]
  const width = Math.max(...rows.map(([name]) => name.length))
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join("\n")
}

/** The task as JSON, with the API's own field names, plus its phase and operation. */
export const taskJson = (task: KeypairTask.KeypairTask): Record<string, unknown> => ({
  task_id: task.taskId,
  task_status: task.taskStatus ?? null,
  server_id: task.serverId ?? null,
  phase: task.phase,
  operation: task.operation
})

/** Where a wait stands when its status changes. */
export interface Progress {
  readonly task: KeypairTask.KeypairTask
  readonly elapsedMillis: number
  readonly attempts: number
}

/** One JSON Lines record of a status change, for `wait --json`. */
export const progressJson = (progress: Progress): string =>
  JSON.stringify({
    ...taskJson(progress.task),
    elapsed_ms: Math.round(progress.elapsedMillis),
    attempts: progress.attempts
  })

const attemptsText = (attempts: number) => `${attempts} ${attempts === 1 ? "request" : "requests"}`

/** One plain line of a status change, for `wait` without a terminal. */
export const progressLine = (progress: Progress): string =>
  `${statusOf(progress.task)} (${progress.task.phase}) after ${DurationText.format(progress.elapsedMillis)}, ${
    attemptsText(progress.attempts)
  }`

const transportReasons: { readonly [R in KpsError.TransportFailure]: string } = {
  Timeout: "no answer in time",
  ConnectionRefused: "connection refused",
  ConnectionReset: "connection reset",
  DnsLookup: "host not found",
  Transport: "no answer"
}

/** What failed, in a few words: `connection refused`, `HTTP 503 KPS.0003`. */
export const failureText = (error: KpsError.KpsError): string => {
  switch (error._tag) {
    case "KpsTransportError":
      return transportReasons[error.reason]
    case "KpsApiError":
      // The code is the server's text: made safe, and kept short.
      return `HTTP ${error.status}${error.errorCode === "" ? "" : ` ${safe(error.errorCode).slice(0, 40)}`}`
    case "KpsDecodeError":
      return `an unreadable answer (HTTP ${error.status})`
    case "KpsInvalidInput":
      return `invalid ${safe(Wording.input(error.field))}`
  }
}

/** Why a request is retried: `connection refused`, `throttled, HTTP 429 APIG.0308`. */
export const retryReason = (retry: TaskWaiter.Retry): string =>
  retry.classification === "throttled" ? `throttled, ${failureText(retry.error)}` : failureText(retry.error)

/** A retry under way, and how long until its next try. */
export interface Retrying {
  readonly retry: TaskWaiter.Retry
  readonly nextInMillis: number
}

/** `retrying: connection refused (attempt 4, next in 8.0s)`: a retry, in a line or on the live line. */
export const retryText = ({ nextInMillis, retry }: Retrying): string =>
  `retrying: ${retryReason(retry)} (attempt ${retry.attempt}, next in ${DurationText.format(nextInMillis)})`

/** One JSON Lines record of a retry, for `wait --json`: `event` tells it from a status change. */
export const retryJson = (retrying: Retrying & { readonly elapsedMillis: number }): string =>
  JSON.stringify({
    event: "retry",
    task_id: retrying.retry.taskId,
    error: retrying.retry.error._tag,
    reason: retryReason(retrying.retry),
    classification: retrying.retry.classification,
    attempt: retrying.retry.attempt,
    retries_left: retrying.retry.retriesLeft,
    next_in_ms: Math.round(retrying.nextInMillis),
    elapsed_ms: Math.round(retrying.elapsedMillis),
    attempts: retrying.retry.attempt
  })

const spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

const phaseColor = (phase: KeypairTask.KeypairTask["phase"] | "waiting"): Ansi.Ansi => {
  switch (phase) {
    case "succeeded":
      return Ansi.green
    case "failed":
      return Ansi.red
    default:
      return Ansi.yellow
  }
}

/**
 * What a wait that did not end well ended on, beyond its status, in a few words: `timed out`,
 * `HTTP 401 APIG.0301`; nothing for a task that failed (its `FAILED_*` status says it).
 */
export const endNote = (
  error: TaskWaiter.TaskFailed | TaskWaiter.WaitTimeout | KpsError.KpsError
): string | undefined => {
  switch (error._tag) {
    case "TaskFailed":
      return undefined
    case "WaitTimeout":
      return "timed out"
    default:
      return failureText(error)
  }
}

/**
 * What the live line shows: the last task seen (if any), the time waited, the requests sent
 * (failed ones included), the retry under way, if any, and, once the wait is `done`, what it
 * ended on beyond the status (`note`).
 */
export interface Live {
  readonly taskId: string
  readonly task: KeypairTask.KeypairTask | undefined
  readonly elapsedMillis: number
  readonly attempts: number
  readonly retrying?: Retrying | undefined
  readonly note?: string | undefined
  readonly frame: number
  readonly done: boolean
  readonly color: boolean
}

/** The live line of one wait on a terminal, redrawn in place (carriage return, erase line). */
export const liveLine = (live: Live): string => {
  const phase = live.task?.phase ?? "waiting"
  const mark = !live.done ? spinner[live.frame % spinner.length] : phase === "succeeded" ? "✔" : "✖"
  const status = live.task === undefined ? "waiting" : statusOf(live.task)
  const doc = Doc.hsep([
    Doc.text(mark).pipe(Doc.annotate(phaseColor(phase))),
    Doc.text(safe(live.taskId)),
    Doc.text(status).pipe(Doc.annotate(Ansi.combine(Ansi.bold, phaseColor(phase)))),
    Doc.text(`· ${DurationText.format(live.elapsedMillis)} · ${attemptsText(live.attempts)}`),
    ...(live.retrying === undefined ? [] : [Doc.text(`· ${retryText(live.retrying)}`).pipe(Doc.annotate(Ansi.yellow))]),
    ...(live.note === undefined ? [] : [Doc.text(`· ${live.note}`).pipe(Doc.annotate(Ansi.red))])
  ])
  const text = live.color ? AnsiDoc.render(doc, { style: "pretty" }) : Doc.render(doc, { style: "pretty" })
  return `\r\u001b[2K${text}`
}

/**
 * The live lines of every wait, one row per task, redrawn in place: after the `first` drawing,
 * the cursor goes back up to the first row before the rows are drawn again. The cursor stays at
 * the end of the last row.
 */
export const liveRows = (rows: ReadonlyArray<Live>, first: boolean): string =>
  (first || rows.length < 2 ? "" : `\u001b[${rows.length - 1}A`) + rows.map(liveLine).join("\n")

/** A line about one of several tasks: `42c1e6eb-…: RUNNING_RESET (pending) after 1.1s, 5 requests`. */
export const forTask = (taskId: string, line: string): string => `${safe(taskId)}: ${line}`

/** The task an operation started, as JSON with the API's field names: `{task_id, server_id}`. */
export const taskRefJson = (ref: TaskRef.TaskRef): Record<string, unknown> => ({
  task_id: ref.taskId,
  server_id: ref.serverId ?? null
})

/** The task an operation started, before waiting on it: `started task 42c1e6eb-… on server 0b5a…`. */
export const startedLine = (ref: TaskRef.TaskRef): string =>
  `started task ${safe(ref.taskId)}${ref.serverId === undefined ? "" : ` on server ${safe(ref.serverId)}`}`

/**
 * The stub's tasks: those the scenario scripts and those requests start, each following its
 * timeline. Looking a task up costs the same with ten tasks or ten thousand; only the lists scan.
 */
import { defaultTaskError, lifecycle, listOf, operateTypeOf, operateTypes } from "./lifecycle.js"
import type { Operation, Reply, StartedTask, Step, TaskError, Timeline } from "./models.js"
import * as Cursor from "./timeline.js"

/** A task as its timeline stands. */
interface Entry {
  cursor: Cursor.Cursor
  /** What started it, for a task a request started. */
  readonly started: StartedTask | undefined
  /** When it was scripted or started: its `task_time`. */
  readonly createdAt: number
}

/** A task as a list shows it. */
export interface Listed {
  readonly taskId: string
  readonly operateType: string | undefined
  readonly createdAt: number
  readonly serverId: string | undefined
  readonly keypairName: string | undefined
  /** Why it failed: set on the failed list only. */
  readonly error: TaskError | undefined
}

/** What a request asks to start. */
export interface Start {
  readonly operation: Operation
  readonly route: StartedTask["route"]
  readonly serverId: string
  readonly keypairName: string | undefined
}

export interface TaskStore {
  /** The step a request for the task meets now, and the server it works on; `undefined` for no such task. */
  readonly step: (
    taskId: string,
    now: number
  ) => { readonly step: Step; readonly serverId: string | undefined } | undefined
  /** Adds or replaces a task's timeline, starting now; a started task keeps what started it. */
  readonly set: (taskId: string, timeline: Timeline, now: number) => void
  /** Starts a task: its id is the next `stub-task-NNNNNN` free. */
  readonly start: (request: Start, now: number) => StartedTask
  /** The tasks on a list now, in the order they were scripted or started. */
  readonly list: (list: "running" | "failed", now: number) => ReadonlyArray<Listed>
  /** Deletes the failed task, or (without an id) every failed task: how many were deleted. */
  readonly deleteFailed: (taskId: string | undefined, now: number) => number
  /** The tasks started so far, oldest first. */
  readonly started: () => ReadonlyArray<StartedTask>
}

const idOf = (count: number) => `stub-task-${String(count).padStart(6, "0")}`

export const make = (options: {
  readonly tasks: Readonly<Record<string, Timeline>> | undefined
  readonly timeline: ((task: StartedTask) => Timeline) | undefined
  readonly now: number
}): TaskStore => {
  // Plain mutable state: every change is one synchronous step, so no two fibers interleave in it.
  const entries = new Map<string, Entry>(
    Object.entries(options.tasks ?? {}).map((
      [id, timeline]
    ) => [id, { cursor: Cursor.start(timeline, options.now), started: undefined, createdAt: options.now }])
  )
  const started: Array<StartedTask> = []
  let count = 0
  const timelineOf = options.timeline ?? ((task: StartedTask) => lifecycle(task.operation))

  /** Where a task stands now, if it is on `list`. */
  const listed = (taskId: string, entry: Entry, list: "running" | "failed", now: number): Listed | undefined => {
    const reply: Extract<Reply, { readonly _tag: "Task" }> | undefined = Cursor.taskReplyAt(
      Cursor.settle(entry.cursor, now)
    )
    if (reply?.status === undefined || listOf(reply.status) !== list) return undefined
    return {
      taskId,
      operateType: entry.started === undefined ? operateTypeOf(reply.status) : operateTypes[entry.started.operation],
      createdAt: entry.createdAt,
      serverId: reply.serverId ?? entry.started?.serverId,
      keypairName: entry.started === undefined ? undefined : entry.started.keypairName ?? "",
      error: list === "failed" ? reply.error ?? defaultTaskError : undefined
    }
  }

  return {
    step: (taskId, now) => {
      const entry = entries.get(taskId)
      if (entry === undefined) return undefined
      const [step, cursor] = Cursor.advance(entry.cursor, now)
      entry.cursor = cursor
      return step === undefined ? undefined : { step, serverId: entry.started?.serverId }
    },
    set: (taskId, timeline, now) => {
      const entry = entries.get(taskId)
      if (entry === undefined) {
        entries.set(taskId, { cursor: Cursor.start(timeline, now), started: undefined, createdAt: now })
      } else {
        entry.cursor = Cursor.start(timeline, now)
      }
    },
    start: (request, now) => {
      // Bounded: each turn passes one scripted task that holds the id.
      let taskId = idOf(++count)
      for (let turn = 0; turn <= entries.size && entries.has(taskId); turn++) taskId = idOf(++count)
      const task: StartedTask = { taskId, ...request, at: now }
      started.push(task)
      entries.set(taskId, { cursor: Cursor.start(timelineOf(task), now), started: task, createdAt: now })
      return task
    },
    list: (list, now) => {
      const found: Array<Listed> = []
      for (const [taskId, entry] of entries) {
        const task = listed(taskId, entry, list, now)
        if (task !== undefined) found.push(task)
      }
      return found
    },
    deleteFailed: (taskId, now) => {
      const doomed = taskId === undefined
        ? [...entries].filter(([id, entry]) => listed(id, entry, "failed", now) !== undefined).map(([id]) => id)
        : [taskId].filter((id) => {
          const entry = entries.get(id)
          return entry !== undefined && listed(id, entry, "failed", now) !== undefined
        })
      for (const id of doomed) entries.delete(id)
      return doomed.length
    },
    started: () => started.slice()
  }
}

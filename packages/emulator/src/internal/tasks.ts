import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import type { Faults } from "../Faults.js"
import type { MemoryOptions, NewTask, Operation, Page, Phase, Task, TaskError, TaskStore } from "../TaskStore.js"
import { defaultTaskDuration } from "./options.js"

export const statusNames = {
  associate: { ready: "READY_RESET", running: "RUNNING_RESET", succeeded: "SUCCESS_RESET", failed: "FAILED_RESET" },
  disassociate: {
    ready: "READY_UNBIND",
    running: "RUNNING_UNBIND",
    succeeded: "SUCCESS_UNBIND",
    failed: "FAILED_UNBIND"
  }
} as const satisfies { readonly [O in Operation]: { readonly [P in Phase]: string } }

export const operateTypes = { associate: "RESET", disassociate: "UNBIND" } as const satisfies {
  readonly [O in Operation]: string
}

export const defaultTaskError: TaskError = {
  code: "EMULATOR.0001",
  message: "The emulator was told to fail this task"
}

/** What the store keeps of a task: its timing, not its status, which follows the clock. */
interface TaskRecord extends Omit<Task, "status" | "phase" | "error"> {
  readonly readyMillis: number
  readonly totalMillis: number
  error: TaskError | undefined
}

const phaseAt = (record: TaskRecord, now: number): Phase => {
  const elapsed = now - record.createdAt
  if (elapsed < record.readyMillis) return "ready"
  if (elapsed < record.totalMillis) return "running"
  return record.error === undefined ? "succeeded" : "failed"
}

const view = (record: TaskRecord, now: number): Task => {
  const { readyMillis: _ready, totalMillis: _total, ...task } = record
  const phase = phaseAt(record, now)
  return { ...task, status: statusNames[record.operation][phase], phase }
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0")

/** A version 4 UUID drawn from the seeded generator. */
const uuid = (random: Random.Random): Effect.Effect<string> =>
  Effect.map(
    Effect.all(Array.from({ length: 4 }, () => Effect.map(random.next, (n) => Math.floor(n * 0x1_0000_0000)))),
    ([a, b, c, d]) =>
      `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b & 0xfff, 3)}-${hex(0x8000 | (c >>> 16 & 0x3fff), 4)}-${
        hex(c & 0xffff, 4)
      }${hex(d, 8)}`
  )

const millis = (input: Duration.DurationInput | undefined, fallback: number): number =>
  input === undefined ? fallback : Duration.toMillis(Duration.decode(input))

const page = (tasks: ReadonlyArray<Task>, request: { readonly limit: number; readonly offset: number }): Page => ({
  total: tasks.length,
  tasks: tasks.slice(request.offset, request.offset + request.limit)
})

export const makeMemory = (options: MemoryOptions = {}): Effect.Effect<TaskStore> =>
  Effect.sync(() => {
    const totalMillis = millis(options.taskDuration, Duration.toMillis(defaultTaskDuration))
    const readyMillis = Math.min(millis(options.readyDuration, totalMillis / 3), totalMillis)
    const failServers = new Set(options.failServers ?? [])
    const random = Random.make(`@effect-kps/emulator/task-ids/${options.seed ?? 0}`)
    // Plain mutable state: every change is one synchronous step, so no two fibers interleave in it.
    const records = new Map<string, TaskRecord>()
    const faults = new Map<string, Faults>()

    const now = Clock.currentTimeMillis
    const snapshot = (projectId: string | undefined, at: number) =>
      [...records.values()].filter((record) => projectId === undefined || record.projectId === projectId).map((
        record
      ) => view(record, at))

    const create = (task: NewTask) =>
      Effect.gen(function*() {
        let taskId = yield* uuid(random)
        // Bounded: a collision of two random UUIDs is all but impossible.
        for (let attempt = 0; attempt < 8 && records.has(taskId); attempt++) taskId = yield* uuid(random)
        const total = millis(task.taskDuration, totalMillis)
        const record: TaskRecord = {
          taskId,
          projectId: task.projectId,
          operation: task.operation,
          serverId: task.serverId,
          serverName: task.serverName ?? `emulated-server-${task.serverId}`,
          keypairName: task.keypairName,
          createdAt: yield* now,
          totalMillis: total,
          // A task's own ready time, else the store's, else a third of its duration.
          readyMillis: Math.min(
            millis(
              task.readyDuration ?? options.readyDuration,
              task.taskDuration === undefined ? readyMillis : total / 3
            ),
            total
          ),
          error: task.fail === undefined || task.fail === false
            ? failServers.has(task.serverId) ? defaultTaskError : undefined
            : task.fail === true
            ? defaultTaskError
            : task.fail
        }
        records.set(taskId, record)
        return view(record, record.createdAt)
      })

    const store: TaskStore = {
      create,
      get: (projectId, taskId) =>
        Effect.map(now, (at) => {
          const record = records.get(taskId)
          return record === undefined || record.projectId !== projectId ? Option.none() : Option.some(view(record, at))
        }),
      list: (projectId) => Effect.map(now, (at) => snapshot(projectId, at)),
      running: (projectId, request) =>
        Effect.map(now, (at) =>
          page(
            snapshot(projectId, at).filter((task) => task.phase === "ready" || task.phase === "running"),
            request
          )),
      failed: (projectId, request) =>
        Effect.map(now, (at) => page(snapshot(projectId, at).filter((task) => task.phase === "failed"), request)),
      deleteFailed: (projectId, taskId) =>
        Effect.map(now, (at) => {
          const doomed = snapshot(projectId, at).filter((task) =>
            task.phase === "failed" && (taskId === undefined || task.taskId === taskId)
          )
          for (const task of doomed) {
            records.delete(task.taskId)
            faults.delete(task.taskId)
          }
          return doomed.length
        }),
      fail: (taskId, error) =>
        Effect.map(now, (at) => {
          const record = records.get(taskId)
          // A task that has already succeeded stays succeeded.
          if (record === undefined || phaseAt(record, at) === "succeeded") return false
          record.error = error ?? defaultTaskError
          return true
        }),
      setFaults: (taskId, taskFaults) =>
        Effect.sync(() => {
          if (taskFaults === undefined) faults.delete(taskId)
          else faults.set(taskId, taskFaults)
        }),
      faultsFor: (taskId) => Effect.sync(() => faults.get(taskId))
    }
    return store
  })

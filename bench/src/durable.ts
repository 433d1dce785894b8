/**
 * Durable waits benchmark (run bundled: `node run.mjs src/durable.ts --expose-gc`). Figures, not
 * assertions. BENCH_DURABLE_WAITS (default 200) waits at once on stub tasks that answer
 * `RUNNING_RESET` three times and then `SUCCESS_RESET`, polled every 10 ms on the live clock, by:
 * - the in-memory waiter, `TaskWaiter.waitForTask` (the baseline);
 * - `KpsWorkflow.WaitForTask` on the in-memory engine (`KpsWorkflow.layerMemory`);
 * - `KpsWorkflow.WaitForTask` on `SqliteEngine`, in a new file each round.
 * CPU per wait (this process, everything included), median of BENCH_DURABLE_ROUNDS (default 3)
 * interleaved rounds; for SQLite, the rows its tables hold and the file's bytes, per wait.
 */
import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { KpsWorkflow } from "@effect-kps/workflow"
import * as SqliteEngine from "@effect-kps/workflow/SqliteEngine"
import type { WorkflowEngine } from "@effect/workflow"
import { Duration, Effect, Layer } from "effect"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { createRequire as requireFrom } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"

const waits = Number(process.env.BENCH_DURABLE_WAITS ?? 200)
const rounds = Number(process.env.BENCH_DURABLE_ROUNDS ?? 3)
const policy = WaitPolicy.fixed("10 millis")
const deadline = Duration.minutes(5)

// better-sqlite3 has no types here; this is all the bench reads of it.
interface Database {
  prepare(sql: string): { all(): Array<Record<string, unknown>>; get(): Record<string, unknown> }
  close(): void
}
const openDatabase = requireFrom(import.meta.url)("better-sqlite3") as new(
  file: string,
  options: { readonly readonly: boolean }
) => Database

const ids = Array.from({ length: waits }, (_, i) => `durable-${i}`)
const stub = KpsTesting.layerClient({
  tasks: Object.fromEntries(ids.map((id) => [id, [
    KpsTesting.status("RUNNING_RESET", { times: 3 }),
    KpsTesting.status("SUCCESS_RESET")
  ]])),
  record: false
})

/** CPU microseconds per wait of `all`, run once. */
const cpuPerWait = <E>(all: Effect.Effect<unknown, E>) =>
  Effect.suspend(() => {
    const cpu = process.cpuUsage()
    return Effect.map(all, () => {
      const used = process.cpuUsage(cpu)
      return (used.user + used.system) / waits
    })
  })

const inMemoryWaiter = cpuPerWait(
  Effect.forEach(ids, (taskId) => TaskWaiter.waitForTask(taskId, { policy, deadline }), { concurrency: "unbounded" })
    .pipe(Effect.provide(stub))
)

const durably = <E>(engine: Layer.Layer<WorkflowEngine.WorkflowEngine, E>) =>
  cpuPerWait(
    Effect.forEach(ids, (taskId) => KpsWorkflow.WaitForTask.execute({ taskId, policy, deadline }), {
      concurrency: "unbounded"
    }).pipe(Effect.provide(engine))
  )

const memoryEngine = durably(KpsWorkflow.layerMemory.pipe(Layer.provide(stub)))

/** The SQLite engine in a new file: CPU per wait, then what the file holds. */
const sqliteEngine = Effect.suspend(() => {
  const dir = mkdtempSync(join(tmpdir(), "kps-bench-durable-"))
  const file = join(dir, "waits.sqlite")
  return durably(SqliteEngine.layer({ filename: file }).pipe(Layer.provide(stub))).pipe(
    Effect.map((cpu) => {
      const database = new openDatabase(file, { readonly: true })
      try {
        const tables = database.prepare("select name from sqlite_master where type = 'table'").all()
          .map((row) => String(row.name))
        const rows = tables.reduce(
          (sum, table) => sum + Number(database.prepare(`select count(*) as n from "${table}"`).get().n),
          0
        )
        const bytes = ["", "-wal"].reduce((sum, suffix) => {
          try {
            return sum + statSync(file + suffix).size
          } catch {
            return sum
          }
        }, 0)
        return { cpu, rows: rows / waits, bytes: bytes / waits }
      } finally {
        database.close()
      }
    }),
    Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  )
})

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const program = Effect.gen(function*() {
  const baseline: Array<number> = []
  const memory: Array<number> = []
  const sqlite: Array<{ readonly cpu: number; readonly rows: number; readonly bytes: number }> = []
  // A warm-up round, not counted; then rounds in an order rotated by one each time.
  yield* inMemoryWaiter
  yield* memoryEngine
  yield* sqliteEngine
  const variants = [
    Effect.map(inMemoryWaiter, (cpu) => void baseline.push(cpu)),
    Effect.map(memoryEngine, (cpu) => void memory.push(cpu)),
    Effect.map(sqliteEngine, (figures) => void sqlite.push(figures))
  ]
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) yield* variants[(i + round) % variants.length]
  }
  const base = median(baseline)
  const line = (name: string, cpu: number) =>
    console.log(`  ${name.padEnd(38)} ${(cpu / 1000).toFixed(2)} ms CPU   (${(cpu / base).toFixed(2)}×)`)
  console.log(
    `${waits} waits at once on stub tasks (3 × RUNNING, then SUCCESS; a poll every 10 ms), median of ${rounds} rounds:`
  )
  line("TaskWaiter.waitForTask (the baseline)", base)
  line("KpsWorkflow.WaitForTask, in memory", median(memory))
  line("KpsWorkflow.WaitForTask, SqliteEngine", median(sqlite.map((figures) => figures.cpu)))
  console.log(
    `    stored per wait: ${median(sqlite.map((figures) => figures.rows)).toFixed(1)} rows, ${
      (median(sqlite.map((figures) => figures.bytes)) / 1024).toFixed(1)
    } KiB of SQLite file`
  )
})

await Effect.runPromise(program)

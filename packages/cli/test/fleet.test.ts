import * as Postgres from "@effect-kps/test-support/Postgres"
import { busiest } from "@effect-kps/test-support/Windows"
import { PgClient } from "@effect/sql-pg"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Redacted, Scope } from "effect"
import { assertBuilt, type Running, start } from "./support/cli.js"
import { type Arrival, type Counter, counter, projectId, startInProcess } from "./support/emulator.js"

// The fleet, over real processes and a real database: three `kps-task runner` processes on one
// PostgreSQL share 1,000 waits that `kps-task wait --postgres` submits, against the emulator with
// 5% of its answers faults; one runner is killed with SIGKILL midway. Each runner reaches the
// emulator through a counter of its own, so the test sees who sent what, and when.
const token = "fleet-token-S3CR3T"
const limit = 20

// How long a process of the fleet may run: a backstop against a hang, never what is asserted.
const backstopMs = 600_000

beforeAll(assertBuilt)
Postgres.warnIfSkipped()

const taskOf = (arrival: Arrival) => arrival.path.split("/").pop() ?? ""

/** Resolves once `condition` holds, looking every 100 ms (at most 6,000 times: the backstop). */
const eventually = async (condition: () => boolean, what: string): Promise<void> => {
  for (let look = 0; look < 6_000; look++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`never happened: ${what}`)
}

const stopAll = (processes: ReadonlyArray<Running>) => Promise.all(processes.map((process) => process.stop("SIGKILL")))

/** The rows and bytes the cluster's tables hold. */
const storage = (url: string) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* PgClient.PgClient
      const [row] = yield* sql<{ readonly rows: number; readonly bytes: number }>`
      select
        (select count(*) from cluster_messages)::int + (select count(*) from cluster_replies)::int as rows,
        (pg_total_relation_size('cluster_messages') + pg_total_relation_size('cluster_replies'))::int as bytes`
      return row
    }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })))
  )

describe.skipIf(Postgres.skip)("a fleet of kps-task runners on PostgreSQL", () => {
  it(
    "three runners share 1,000 waits with 5% faults; one is killed midway; each wait ends once, as its task did, within the limit",
    async () => {
      const cleanups: Array<() => Promise<unknown>> = []
      try {
        const scope = Effect.runSync(Scope.make())
        cleanups.push(() => Effect.runPromise(Scope.close(scope, Exit.void)))
        const database = await Effect.runPromise(Scope.extend(Postgres.start(), scope))

        // Two in a hundred answers throttled, two a server error, one a dropped connection.
        const emulator = await startInProcess({
          tokens: [token],
          readyDuration: "1 second",
          taskDuration: "1 hour",
          faults: { throttle: 0.02, serverError: 0.02, drop: 0.01 },
          seed: 14
        })
        cleanups.push(() => emulator.close())

        // 950 tasks end at once (48 failed); 50 more (3 failed) run until the test moves the
        // emulator's clock, after the kill: their waits sleep between polls, on every runner.
        const create = (count: number, task: Parameters<typeof emulator.createTask>[0]) =>
          Promise.all(Array.from({ length: count }, () => emulator.createTask(task)))
        const quickFailed = await create(48, { taskDuration: 0, fail: true })
        const slowFailed = await create(3, { fail: true })
        const slow = [...await create(47, {}), ...slowFailed]
        const all = [...await create(902, { taskDuration: 0 }), ...quickFailed, ...slow]
        expect(new Set(all.map((task) => task.taskId)).size).toBe(1_000)
        const failed = new Set([...quickFailed, ...slowFailed].map((task) => task.taskId))
        const slowIds = new Set(slow.map((task) => task.taskId))

        const counters: Array<Counter> = []
        const runners: Array<Running> = []
        for (let i = 0; i < 3; i++) {
          const front = await counter(emulator.url)
          cleanups.push(() => front.close())
          counters.push(front)
          const port = await Effect.runPromise(Postgres.freePort)
          runners.push(start([
            "runner",
            ...["--postgres", database.url, "--host", "127.0.0.1", "--port", String(port)],
            ...["--requests-per-second", String(limit)],
            ...["--endpoint", front.url, "--project-id", projectId, "--token", token]
          ], { backstopMs }))
        }
        cleanups.unshift(() => stopAll(runners))
        await Promise.all(runners.map((runner) => runner.until(/runner on /)))

        const began = Date.now()
        const client = start([
          "wait",
          ...all.map((task) => task.taskId),
          ...["--postgres", database.url, "--project-id", projectId],
          ...["--json", "--interval", "15s", "--timeout", "10m"]
        ], { backstopMs })
        cleanups.unshift(() => client.stop("SIGKILL"))

        // Midway (400 waits ended, and some of its slow waits asleep), one runner dies outright;
        // then the slow tasks end.
        const victim = 1
        const hasSlowWaits = () => counters[victim].arrivals().some((arrival) => slowIds.has(taskOf(arrival)))
        await client.until(/^(?:\{[^\n]*\n){400}/)
        await eventually(hasSlowWaits, `runner ${victim} polls a slow task`)
        const killedAt = Date.now()
        const killed = await runners[victim].stop("SIGKILL")
        expect(killed.signal).toBe("SIGKILL")
        await emulator.advance("1 hour")

        const result = await client.ended
        const wallMs = Date.now() - began

        // Each wait ended once, as its task did: successes on stdout, failures on stderr.
        const printed = result.stdout.trim().split("\n").filter((line) => line.startsWith("{")).map((line) =>
          JSON.parse(line) as { readonly task_id: string; readonly task_status: string }
        )
        const succeeded = all.filter((task) => !failed.has(task.taskId)).map((task) => task.taskId)
        expect(printed.map((line) => line.task_id).sort()).toEqual([...succeeded].sort())
        expect(printed.every((line) => line.task_status.startsWith("SUCCESS_"))).toBe(true)
        const errorLines = result.stderr.split("\n")
        for (const taskId of failed) {
          expect(errorLines.filter((line) => line.includes(taskId) && line.includes("FAILED_"))).toHaveLength(1)
        }
        expect(errorLines.filter((line) => succeeded.some((taskId) => line.includes(taskId)))).toEqual([])
        expect(result.code).toBe(1)
        expect(result.stderr).not.toContain(token)

        // The fleet kept to one limit: no second saw more than `limit` requests arrive.
        const arrivals = counters.flatMap((front) => front.arrivals())
        const mostInASecond = busiest(arrivals.map((arrival) => arrival.at))
        expect(mostInASecond).toBeLessThanOrEqual(limit)

        // The killed runner had slow waits sleeping; the others polled each of them again and ended it.
        const beforeKill = counters[victim].arrivals().filter((arrival) => arrival.at <= killedAt).map(taskOf)
        const orphaned = new Set(beforeKill.filter((taskId) => slowIds.has(taskId)))
        expect(orphaned.size).toBeGreaterThan(0)
        const survivors = counters.filter((_, i) => i !== victim).flatMap((front) => front.arrivals())
        const adopted = new Set(survivors.filter((arrival) => arrival.at > killedAt).map(taskOf))
        expect([...orphaned].filter((taskId) => !adopted.has(taskId))).toEqual([])

        const stored = await storage(database.url)
        const byRunner = counters.map((front) => front.arrivals().length)
        console.log(
          `fleet: 1,000 waits (${failed.size} failed tasks) in ${(wallMs / 1_000).toFixed(1)} s; ` +
            `${arrivals.length} requests (by runner ${byRunner.join(" / ")}, runner ${victim + 1} killed after ` +
            `${((killedAt - began) / 1_000).toFixed(1)} s with ${orphaned.size} slow waits asleep), ` +
            `busiest second ${mostInASecond} (limit ${limit}); storage ${(stored.rows / 1_000).toFixed(1)} rows ` +
            `and ${(stored.bytes / 1_000 / 1_024).toFixed(1)} KiB per wait`
        )
      } finally {
        for (const cleanup of cleanups) await cleanup().catch(() => undefined)
      }
    },
    900_000
  )
})

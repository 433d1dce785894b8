import { KpsClient, KpsError } from "@effect-kps/core"
import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import * as Postgres from "@effect-kps/test-support/Postgres"
import { busiest } from "@effect-kps/test-support/Windows"
import { KpsTesting } from "@effect-kps/testing"
import { KpsWorkflow } from "@effect-kps/workflow"
import * as PostgresEngine from "@effect-kps/workflow/PostgresEngine"
import { ShardingConfig, SqlMessageStorage, SqlRunnerStorage } from "@effect/cluster"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { type WorkflowEngine } from "@effect/workflow"
import { Clock, type Context, Duration, Effect, Exit, Fiber, Layer, Redacted, Schedule, Scope } from "effect"
import { startProcess } from "./utils/processes.js"

// Real processes and a real database: the bound is generous, and no test asserts a time.
const timeout = 240_000

// A stopped runner stops at once, as a crash does; the rest shortens how soon the others notice
// a runner and take its shards (defaults: 3 s between looks, 10 s between reads of stored messages).
const shardingConfig = {
  entityTerminationTimeout: Duration.zero,
  refreshAssignmentsInterval: Duration.millis(500),
  entityMessagePollInterval: Duration.seconds(1)
}

const policy = WaitPolicy.fixed("200 millis")

// Each task answers `RUNNING_RESET` to its first `running` polls, then its end: an execution that
// polled twice, or past the end, shows as extra requests.
interface Task {
  readonly taskId: string
  readonly running: number
  readonly fails: boolean
}

const tasks = (prefix: string, count: number, running: (i: number) => number): ReadonlyArray<Task> =>
  Array.from({ length: count }, (_, i) => ({ taskId: `${prefix}-${i}`, running: running(i), fails: i % 5 === 0 }))

const setTasks = (all: ReadonlyArray<Task>) =>
  Effect.forEach(all, (task) =>
    KpsTesting.setTask(task.taskId, [
      KpsTesting.status("RUNNING_RESET", { times: task.running }),
      KpsTesting.status(task.fails ? "FAILED_RESET" : "SUCCESS_RESET")
    ]), { discard: true })

/** The task a recorded request asked for. */
const taskOf = (request: { readonly url: string }) => new URL(request.url).pathname.split("/").pop() ?? ""

/** Asserts each wait ended as its task did. */
const expectOutcomes = (all: ReadonlyArray<Task>, exits: ReadonlyArray<Exit.Exit<unknown, unknown>>) => {
  const outcomes = exits.map((exit) =>
    Exit.match(exit, {
      onSuccess: (task) => ["done", (task as { readonly taskStatus?: string }).taskStatus],
      onFailure: (cause) =>
        cause._tag === "Fail" && cause.error instanceof TaskWaiter.TaskFailed
          ? ["failed", cause.error.task.taskStatus]
          : ["other", String(cause)]
    })
  )
  expect(outcomes).toEqual(all.map((task) => task.fails ? ["failed", "FAILED_RESET"] : ["done", "SUCCESS_RESET"]))
}

/** Every poll a runner sends, by runner: wraps the shared stub's client. */
interface Poll {
  readonly runner: string
  readonly taskId: string
}

const countingClient = (runner: string, polls: Array<Poll>) =>
  Layer.effect(
    KpsClient.KpsClient,
    Effect.map(KpsClient.KpsClient, (client) => ({
      ...client,
      getTask: (taskId, options) =>
        Effect.zipRight(Effect.sync(() => polls.push({ runner, taskId })), client.getTask(taskId, options))
    }))
  )

/** A runner "process" on 127.0.0.1, polling through the shared stub. */
const startRunner = (
  url: string,
  runner: string,
  stub: Context.Context<KpsClient.KpsClient | KpsTesting.KpsTesting>,
  polls: Array<Poll>,
  requestsPerSecond?: number
) =>
  Effect.flatMap(Postgres.freePort, (port) =>
    startProcess(
      PostgresEngine.layerRunner({
        url: Redacted.make(url),
        runnerAddress: { host: "127.0.0.1", port },
        shardingConfig,
        requestsPerSecond
      }).pipe(Layer.provide(countingClient(runner, polls)), Layer.provide(Layer.succeedContext(stub)))
    ))

/** Waits (bounded) until `count` runners are registered in the database. */
const runnersRegistered = (url: string, count: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ readonly n: number }>`select count(*)::int as n from cluster_runners where healthy`
    if (row.n < count) return yield* Effect.fail(`${row.n} of ${count} runners registered`)
  }).pipe(
    Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(300)))),
    Effect.provide(PgClient.layer({ url: Redacted.make(url) }))
  )

const execute = (client: Context.Context<WorkflowEngine.WorkflowEngine>, task: Task) =>
  KpsWorkflow.WaitForTask.execute({ taskId: task.taskId, policy, deadline: Duration.minutes(3) }).pipe(
    Effect.exit,
    Effect.provide(client)
  )

describe("PostgresEngine options", () => {
  it.effect("a limit that is not a whole number of at least 1 fails with KpsInvalidInput before anything starts", () =>
    Effect.gen(function*() {
      for (const requestsPerSecond of [0, -1, 2.5, Number.NaN]) {
        const exit = yield* Layer.build(PostgresEngine.layerRunner({
          // Nothing listens there: the options are refused before any connection.
          url: "postgres://nobody@127.0.0.1:1/none",
          runnerAddress: { host: "127.0.0.1", port: 1 },
          requestsPerSecond
        })).pipe(Effect.scoped, Effect.provide(KpsTesting.layerClient({ tasks: {} })), Effect.exit)
        expect(exit).toEqual(Exit.fail(
          new KpsError.KpsInvalidInput({
            field: "requestsPerSecond",
            description: `must be a whole number of at least 1, got ${requestsPerSecond}`
          })
        ))
      }
    }))
})

Postgres.warnIfSkipped()

describe.skipIf(Postgres.skip)("PostgresEngine", () => {
  it.live(
    "hosts @effect/cluster's SQL message and runner storage (their tables built)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { url } = yield* Postgres.start()
        yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const storage = Layer.mergeAll(SqlMessageStorage.layer, SqlRunnerStorage.layer).pipe(
            Layer.provide(ShardingConfig.layerDefaults),
            Layer.provide(Layer.succeed(SqlClient.SqlClient, sql))
          )
          yield* Effect.scoped(Layer.build(storage))
          const tables = yield* sql<{ readonly name: string }>`
        select table_name as name from information_schema.tables
        where table_schema = 'public' and table_name like 'cluster\\_%' order by table_name`
          // On PostgreSQL the runner storage locks shards with advisory locks: no `cluster_locks` table.
          expect(tables.map((table) => table.name)).toEqual([
            "cluster_messages",
            "cluster_migrations",
            "cluster_replies",
            "cluster_runners"
          ])
        }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })))
      })),
    timeout
  )

  it.live(
    "three runners and a client share the waits, the fleet within one limit of requests",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { url } = yield* Postgres.start()
        const stub = yield* Layer.build(KpsTesting.layerClient({ tasks: {} }))
        const polls: Array<Poll> = []
        const runners = ["a", "b", "c"]
        // Started at the same moment on a fresh database, as a deploy does: each creates the tables.
        yield* Effect.forEach(runners, (runner) => startRunner(url, runner, stub, polls), {
          concurrency: "unbounded",
          discard: true
        })
        yield* runnersRegistered(url, runners.length)
        const client = yield* startProcess(PostgresEngine.layerClient({ url, shardingConfig }))

        const all = tasks("fleet", 40, (i) => 1 + (i % 4))
        yield* setTasks(all).pipe(Effect.provide(stub))
        const started = yield* Clock.currentTimeMillis
        const exits = yield* Effect.forEach(all, (task) => execute(client.context, task), { concurrency: "unbounded" })
        const ended = yield* Clock.currentTimeMillis

        expectOutcomes(all, exits)
        const requests = yield* Effect.provide(KpsTesting.requests, stub)
        // Each task was asked exactly as often as it takes to see its end: no wait ran twice.
        const perTask = new Map<string, number>()
        for (const request of requests) perTask.set(taskOf(request), (perTask.get(taskOf(request)) ?? 0) + 1)
        expect(Object.fromEntries(perTask)).toEqual(
          Object.fromEntries(all.map((task) => [task.taskId, task.running + 1]))
        )
        // More than one runner did the work, and the fleet kept to 20 requests a second together
        // (the waits asked for up to 200 a second: the limit was reached).
        expect(new Set(polls.map((poll) => poll.runner)).size).toBeGreaterThan(1)
        const mostInASecond = busiest(requests.map((request) => request.at))
        expect(mostInASecond).toBeLessThanOrEqual(PostgresEngine.defaultRequestsPerSecond)
        expect(mostInASecond).toBeGreaterThan(PostgresEngine.defaultRequestsPerSecond / 2)
        const byRunner = Object.fromEntries(runners.map((r) => [r, polls.filter((poll) => poll.runner === r).length]))
        console.log(
          `PostgresEngine, 3 runners: ${all.length} waits, ${requests.length} requests in ${ended - started} ms,` +
            ` busiest second ${mostInASecond}, polls by runner ${JSON.stringify(byRunner)}`
        )
      })),
    timeout
  )

  it.live(
    "a runner stopped mid-way: the other takes its waits up and ends each once",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { url } = yield* Postgres.start()
        const stub = yield* Layer.build(KpsTesting.layerClient({ tasks: {} }))
        const polls: Array<Poll> = []
        const limit = 10
        const first = yield* startRunner(url, "first", stub, polls, limit)
        yield* startRunner(url, "second", stub, polls, limit)
        yield* runnersRegistered(url, 2)
        const client = yield* startProcess(PostgresEngine.layerClient({ url, shardingConfig }))

        // Every task takes 7 requests: when the first runner has sent 3, none of its tasks has ended.
        const all = tasks("moved", 20, () => 6)
        yield* setTasks(all).pipe(Effect.provide(stub))
        const waits = yield* Effect.fork(
          Effect.forEach(all, (task) => execute(client.context, task), { concurrency: "unbounded" })
        )
        yield* Effect.suspend(() =>
          polls.filter((poll) => poll.runner === "first").length >= 3 ? Effect.void : Effect.fail("not yet")
        ).pipe(Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.intersect(Schedule.recurs(2_400)))))
        yield* Scope.close(first.scope, Exit.void)
        const stoppedAt = polls.length
        const unfinished = new Set(polls.filter((poll) => poll.runner === "first").map((poll) => poll.taskId))

        const exits = yield* Fiber.join(waits)
        expectOutcomes(all, exits)
        // The first runner's unfinished waits went on on the second, which alone polled after the stop.
        const after = polls.slice(stoppedAt)
        expect(after.every((poll) => poll.runner === "second")).toBe(true)
        expect(unfinished.size).toBeGreaterThan(0)
        for (const taskId of unfinished) expect(after.some((poll) => poll.taskId === taskId)).toBe(true)
        const requests = yield* Effect.provide(KpsTesting.requests, stub)
        // A step cut short by the stop may be sent again: at least, never fewer, requests than needed.
        for (const task of all) {
          expect(requests.filter((request) => taskOf(request) === task.taskId).length).toBeGreaterThanOrEqual(7)
        }
        const mostInASecond = busiest(requests.map((request) => request.at))
        expect(mostInASecond).toBeLessThanOrEqual(limit)
        console.log(
          `PostgresEngine, a runner stopped: ${all.length} waits, ${requests.length} requests,` +
            ` busiest second ${mostInASecond} (limit ${limit}), ${unfinished.size} waits moved`
        )
      })),
    timeout
  )
})

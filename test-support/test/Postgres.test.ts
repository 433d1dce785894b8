import * as Postgres from "@effect-kps/test-support/Postgres"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"

// Real processes: initdb alone takes seconds on a busy machine. The bound is generous, and no
// test asserts a time.
const timeout = 120_000

const client = (url: string) => PgClient.layer({ url: Redacted.make(url) })

/** Runs `effect` with a SqlClient on a fresh server. */
const onPostgres = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.scoped(Effect.gen(function*() {
    const { url } = yield* Postgres.start()
    return yield* Effect.provide(effect, client(url))
  }))

Postgres.warnIfSkipped()

describe.skipIf(Postgres.skip)("the PostgreSQL test harness", () => {
  it.live("serves `select 1` on 127.0.0.1", () =>
    onPostgres(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ readonly one: number }>`select 1 as one`
      expect(rows).toEqual([{ one: 1 }])
      const [address] = yield* sql<{ readonly address: string }>`select host(inet_server_addr()) as address`
      expect(address.address).toBe("127.0.0.1")
    })), timeout)

  it.live("round-trips rows through a table", () =>
    onPostgres(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`create table notes (id serial primary key, body text not null)`
      yield* sql`insert into notes ${sql.insert([{ body: "first" }, { body: "zweite ✓" }])}`
      const rows = yield* sql<{ readonly id: number; readonly body: string }>`select id, body from notes order by id`
      expect(rows).toEqual([{ id: 1, body: "first" }, { id: 2, body: "zweite ✓" }])
    })), timeout)

  it.live("stops the server and deletes its data when the scope closes, even on failure", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<{ readonly pid: number; readonly directory: string }>()
      const exit = yield* Effect.scoped(Effect.gen(function*() {
        const { directory } = yield* Postgres.start()
        const pid = Number(Fs.readFileSync(Path.join(directory, "data", "postmaster.pid"), "utf8").split("\n")[0])
        yield* Deferred.succeed(started, { pid, directory })
        return yield* Effect.fail("the test failed")
      })).pipe(Effect.exit)
      expect(exit).toEqual(Exit.fail("the test failed"))
      const { directory, pid } = yield* Deferred.await(started)
      expect(pid).toBeGreaterThan(0)
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }))
      expect(Fs.existsSync(directory)).toBe(false)
    }), timeout)

  it.live(
    "runs two servers at once, on different ports, each with its own data",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const [a, b] = yield* Effect.all([Postgres.start(), Postgres.start()], { concurrency: 2 })
        expect(a.port).not.toBe(b.port)
        expect(a.directory).not.toBe(b.directory)
        const marker = (url: string, value: string) =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            yield* sql`create table marker (value text)`
            yield* sql`insert into marker values (${value})`
            return yield* sql<{ readonly value: string }>`select value from marker`
          }).pipe(Effect.provide(client(url)))
        expect(yield* marker(a.url, "a")).toEqual([{ value: "a" }])
        expect(yield* marker(b.url, "b")).toEqual([{ value: "b" }])
      })),
    timeout
  )
})

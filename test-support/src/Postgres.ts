/**
 * A real PostgreSQL for tests: Debian's `postgresql` package, one throwaway server per scope.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root the server runs as a dedicated
 * system user (`kps-pg`), on a data directory under `os.tmpdir()` that the scope deletes again. The
 * server listens on 127.0.0.1 only, on a free port, with trust authentication for local clients.
 *
 * @example
 * import { describe, it } from "@effect/vitest"
 * import * as Postgres from "@effect-kps/test-support/Postgres"
 *
 * Postgres.warnIfSkipped()
 * describe.skipIf(Postgres.skip)("on PostgreSQL", () => {
 *   it.live("connects", () => Effect.scoped(Effect.gen(function*() {
 *     const { url } = yield* Postgres.start()
 *     // PgClient.layer({ url: Redacted.make(url) }) ...
 *   })), 120_000)
 * })
 */
import { Clock, Data, Deferred, Effect, Schedule, type Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"

/** A step of starting or stopping the server failed; `detail` holds the command's output. */
export class PostgresError extends Data.TaggedError("PostgresError")<{
  readonly step: "install" | "user" | "initdb" | "start" | "createdb" | "stop"
  readonly detail: string
  /** The server could not bind its port (someone took it between the choice and the bind). */
  readonly portTaken?: boolean
}> {
  override get message() {
    return `PostgreSQL test server, ${this.step}: ${this.detail}`
  }
}

/** A running server: connect with `url` (user `postgres`, no password). */
export interface Postgres {
  readonly url: string
  readonly host: "127.0.0.1"
  readonly port: number
  readonly database: string
  readonly user: "postgres"
  /** The temporary directory holding the data directory (`data/`), the socket and `postgres.log`. */
  readonly directory: string
}

const debianRoot = "/usr/lib/postgresql"

/** The newest installed major's `bin` directory, or undefined when Debian's `postgresql` is absent. */
export const binDir: string | undefined = (() => {
  try {
    return Fs.readdirSync(debianRoot)
      .filter((major) => /^\d+$/.test(major) && Fs.existsSync(Path.join(debianRoot, major, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a))
      .map((major) => Path.join(debianRoot, major, "bin"))[0]
  } catch {
    return undefined
  }
})()

/** Whether PostgreSQL's binaries are installed. */
export const available: boolean = binDir !== undefined

const installHint = "install it with `apt-get install -y postgresql`"

/** Why the PostgreSQL tests are skipped (when they are). */
export const skipReason: string =
  `PostgreSQL tests skipped: no ${debianRoot}/*/bin/initdb; ${installHint} to run them (on CI they fail instead).`

/** Skip the PostgreSQL tests: the binaries are absent and this is not CI (CI=true fails instead). */
export const skip: boolean = !available && process.env.CI !== "true"

/** Prints `skipReason` once, when the tests are skipped. */
export const warnIfSkipped = (): void => {
  if (skip) console.warn(skipReason)
}

// Runs a command to its end, failing with its output. The timeout only bounds a hung command.
const run = (
  step: PostgresError["step"],
  file: string,
  args: ReadonlyArray<string>,
  options: ChildProcess.ExecFileOptions = {}
) =>
  Effect.async<string, PostgresError>((resume) => {
    const child = ChildProcess.execFile(file, args, { timeout: 120_000, ...options }, (error, stdout, stderr) =>
      resume(
        error === null
          ? Effect.succeed(String(stdout))
          : Effect.fail(new PostgresError({ step, detail: `${file} ${args.join(" ")}: ${error.message} ${stderr}` }))
      ))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

// The harness waits in real time even inside a test on the TestClock.
const live = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withClock(effect, Clock.make())

interface Identity {
  readonly uid?: number
  readonly gid?: number
}

const user = "kps-pg"

const id = (flag: "-u" | "-g") => run("user", "id", [flag, user]).pipe(Effect.map((out) => Number(out.trim())))

// The user to run PostgreSQL as: `kps-pg` (created once) when root, otherwise the current user.
// Two test processes may race to create it: whoever loses sees it exist on a later look.
const identity: Effect.Effect<Identity, PostgresError> = Effect.suspend(() => {
  if (process.getuid?.() !== 0) return Effect.succeed({})
  const lookup = Effect.all({ uid: id("-u"), gid: id("-g") })
  const create = run("user", "useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user])
  return lookup.pipe(
    Effect.orElse(() => create.pipe(Effect.ignore, Effect.zipRight(lookup))),
    Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(20))))
  )
})

// A temporary directory owned by the server's user, deleted (with the data) when the scope closes.
const directory = (who: Identity) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "kps-pg-"))
      if (who.uid !== undefined && who.gid !== undefined) Fs.chownSync(dir, who.uid, who.gid)
      return dir
    }),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )

/** A port free right now on 127.0.0.1 (a server may still lose it to someone else: see `start`). */
export const freePort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

// Trust for local clients only: the socket (in a directory only the server's user may enter) and
// 127.0.0.1, the one address the server listens on.
const hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"

const initdb = (bin: string, dir: string, who: Identity) =>
  run("initdb", Path.join(bin, "initdb"), [
    "-D",
    Path.join(dir, "data"),
    "-A",
    "trust",
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-locale",
    "--no-sync"
  ], { ...who, cwd: dir }).pipe(
    Effect.zipRight(Effect.sync(() => Fs.writeFileSync(Path.join(dir, "data", "pg_hba.conf"), hba)))
  )

// Starts `postgres` itself as a child (no pg_ctl daemon): its exit is observed, and stopping it
// signals exactly this process. Its log goes to `postgres.log` in the directory (each try afresh).
const server = (bin: string, dir: string, who: Identity, port: number) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const exited = yield* Deferred.make<void>()
      const log = Fs.openSync(Path.join(dir, "postgres.log"), "w")
      const child = ChildProcess.spawn(Path.join(bin, "postgres"), [
        ...["-D", Path.join(dir, "data"), "-p", String(port), "-k", dir],
        ...["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"],
        ...["-c", "synchronous_commit=off", "-c", "shared_buffers=16MB"]
      ], { ...who, cwd: dir, stdio: ["ignore", log, log] })
      Fs.closeSync(log)
      child.once("exit", () => Deferred.unsafeDone(exited, Effect.void))
      child.once("error", () => Deferred.unsafeDone(exited, Effect.void))
      return { child, exited }
    }),
    // SIGINT is PostgreSQL's fast shutdown (what `pg_ctl stop -m fast` sends); SIGKILL if it hangs.
    ({ child, exited }) =>
      Effect.sync(() => child.kill("SIGINT")).pipe(
        Effect.zipRight(Deferred.await(exited).pipe(Effect.timeout("60 seconds"))),
        Effect.catchAll(() => Effect.sync(() => child.kill("SIGKILL")).pipe(Effect.zipRight(Deferred.await(exited)))),
        live
      )
  )

const readLog = (dir: string) => Effect.sync(() => Fs.readFileSync(Path.join(dir, "postgres.log"), "utf8"))

// Asks `pg_isready` until the server answers (up to 300 tries, a short pause between), failing at
// once when the server has exited: `portTaken` when it could not bind.
const ready = (bin: string, dir: string, port: number, exited: Deferred.Deferred<void>) => {
  const notYet = new PostgresError({ step: "start", detail: `no answer on 127.0.0.1:${port} after 300 tries` })
  const exitedEarly = readLog(dir).pipe(
    Effect.flatMap((log) =>
      new PostgresError({
        step: "start",
        detail: `the server exited: ${log.slice(-2_000)}`,
        portTaken: log.includes("Address already in use")
      })
    )
  )
  const isReady = run("start", Path.join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-t", "5"])
  return Deferred.isDone(exited).pipe(
    Effect.flatMap((done) => done ? exitedEarly : Effect.mapError(isReady, () => notYet)),
    Effect.retry({
      while: (error) => error === notYet,
      schedule: Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(300)))
    }),
    Effect.asVoid
  )
}

/**
 * Starts a PostgreSQL server for the current scope, with database `database` (default `"test"`)
 * created, and stops it (then deletes its data) when the scope closes, whatever the test's outcome.
 * Fails with a `PostgresError` naming the step and carrying the command's output; when the
 * binaries are absent it says how to install them.
 */
export const start = (
  options: { readonly database?: string } = {}
): Effect.Effect<Postgres, PostgresError, Scope.Scope> =>
  Effect.gen(function*() {
    const bin = binDir
    if (bin === undefined) {
      return yield* new PostgresError({ step: "install", detail: `PostgreSQL is not installed: ${installHint}` })
    }
    const database = options.database ?? "test"
    const who = yield* identity
    const dir = yield* directory(who)
    yield* initdb(bin, dir, who)
    // A port chosen free may be taken before the server binds it: then try another (5 times).
    const port = yield* Effect.gen(function*() {
      const port = yield* freePort
      const { exited } = yield* server(bin, dir, who, port)
      yield* ready(bin, dir, port, exited)
      return port
    }).pipe(Effect.retry({ times: 4, while: (error) => error.portTaken === true }))
    yield* run("createdb", Path.join(bin, "createdb"), [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "postgres",
      database
    ])
    return {
      url: `postgres://postgres@127.0.0.1:${port}/${database}`,
      host: "127.0.0.1",
      port,
      database,
      user: "postgres",
      directory: dir
    } as const
  }).pipe(live)

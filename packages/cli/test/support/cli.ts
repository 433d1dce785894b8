import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
export const bin = resolve(packageDir, "bin/kps-task.js")
const built = resolve(packageDir, "dist/bundle/kps-task.js")

/**
 * How long a process may run before the harness kills it and fails the test. A backstop against a
 * hung process, never what a test asserts: a busy machine takes 5 s or more to start the CLI.
 */
export const backstopMs = 90_000

/** The CLI is tested as users run it: the built executable. */
export const assertBuilt = (): void => {
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: the CLI tests run the built kps-task; run \`pnpm build\` first`)
  }
}

/**
 * The environment of a test run: no credentials or regions of the machine's, no colours; then
 * `extra`, where `undefined` leaves a variable unset (`NO_COLOR`, say).
 */
export const cleanEnv = (extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv => {
  const clean = Object.entries(process.env).filter(([name]) =>
    !/^(HUAWEICLOUD_|CLOUD_SDK_|KPS_|NO_COLOR$|FORCE_COLOR$|HTTPS?_PROXY$|https?_proxy$)/.test(name)
  )
  return Object.fromEntries(
    Object.entries({ ...Object.fromEntries(clean), NO_COLOR: "1", ...extra }).filter(([, value]) => value !== undefined)
  )
}

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A process the test started. */
export interface Running {
  readonly child: ChildProcess
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  /**
   * Resolves once standard output matches `pattern` (it is tested against all of the output so
   * far); rejects when the process ends without it.
   */
  readonly until: (pattern: RegExp) => Promise<RegExpExecArray>
  /** How the process ended; rejects when the backstop had to kill it. */
  readonly ended: Promise<Result>
  /** Sends `signal` (unless the process has ended) and answers how the process ended. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<Result>
}

export interface StartOptions {
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** The backstop of this process, for one that runs as long as a whole test ({@link backstopMs}). */
  readonly backstopMs?: number | undefined
  /**
   * Blocks the process this long before the CLI runs, as a busy machine does: tests that pass
   * with it do not depend on how fast the CLI starts.
   */
  readonly slowStartMs?: number | undefined
}

/** Starts a program, collecting its output. */
export const spawnProgram = (
  file: string,
  args: ReadonlyArray<string>,
  options: Pick<StartOptions, "env" | "backstopMs"> = {}
): Running => {
  const backstop = options.backstopMs ?? backstopMs
  const child = spawn(file, args, { env: cleanEnv(options.env), stdio: "pipe" })
  const name = [file, ...args].join(" ")
  let stdout = ""
  let stderr = ""
  const watchers = new Set<() => void>()
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk
    watchers.forEach((watcher) => watcher())
  })
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))

  let closed = false
  let backstopFired = false
  const backstopTimer = setTimeout(() => {
    backstopFired = true
    child.kill("SIGKILL")
  }, backstop)
  const ended = new Promise<Result>((resolveEnded, rejectEnded) => {
    child.on("error", rejectEnded)
    child.on("close", (code, signal) => {
      closed = true
      clearTimeout(backstopTimer)
      watchers.forEach((watcher) => watcher())
      if (backstopFired) {
        rejectEnded(new Error(`${name} was still running after ${backstop} ms:\n${stdout}\n${stderr}`))
      } else {
        resolveEnded({ code, signal, stdout, stderr })
      }
    })
  })
  // A test that only waits for `until` still hears of a process that could not start.
  ended.catch(() => {})

  const until = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolveUntil, rejectUntil) => {
      const check = () => {
        const match = pattern.exec(stdout)
        if (match !== null) {
          watchers.delete(check)
          resolveUntil(match)
        } else if (closed) {
          watchers.delete(check)
          rejectUntil(new Error(`${name} ended without printing ${pattern}:\n${stdout}\n${stderr}`))
        }
      }
      watchers.add(check)
      check()
    })

  const stop = (signal: NodeJS.Signals = "SIGTERM") => {
    if (!closed) child.kill(signal)
    return ended
  }

  return { child, output: () => ({ stdout, stderr }), until, ended, stop }
}

/** Starts `kps-task` with these arguments. */
export const start = (args: ReadonlyArray<string>, options: StartOptions = {}): Running =>
  spawnProgram(
    process.execPath,
    [
      ...(options.slowStartMs === undefined ? [] : [
        "--import",
        `data:text/javascript,Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${options.slowStartMs})`
      ]),
      bin,
      ...args
    ],
    options
  )

/** Runs `kps-task` with these arguments to its end. */
export const run = (args: ReadonlyArray<string>, options: StartOptions = {}): Promise<Result> =>
  start(args, options).ended

/** Runs a program to its end. */
export const runProgram = (
  file: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string | undefined>> | undefined } = {}
): Promise<Result> => spawnProgram(file, args, options).ended

/** The first line a process prints on standard output. */
export const firstLine = async (running: Running): Promise<string> => (await running.until(/^(.*)\n/))[1]

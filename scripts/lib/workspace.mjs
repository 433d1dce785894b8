// @ts-check
// The workspace's publishable packages, and running commands with a bound on their time.
import { spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import process from "node:process"
import { clearTimeout, setTimeout } from "node:timers"
import { fileURLToPath } from "node:url"

/** The repository's root directory. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")

/**
 * @typedef {object} Manifest
 * @property {string} name
 * @property {string} version
 * @property {boolean} [private]
 * @property {Record<string, unknown>} [exports]
 * @property {{ readonly exports?: Record<string, unknown> }} [publishConfig]
 * @property {Record<string, string>} [dependencies]
 * @property {Record<string, string>} [peerDependencies]
 * @property {Record<string, string>} [bin]
 */

/**
 * @typedef {object} Package
 * @property {string} dir absolute path of the package's directory
 * @property {Manifest} manifest its package.json
 */

/**
 * Every package under packages/ that is published (not private), in directory order.
 * @returns {ReadonlyArray<Package>}
 */
export const publicPackages = () =>
  readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, "packages", entry.name))
    .map((dir) => ({
      dir,
      manifest: /** @type {Manifest} */ (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")))
    }))
    .filter((pkg) => pkg.manifest.private !== true)

/**
 * @typedef {object} RunResult
 * @property {number | null} code
 * @property {string} stdout
 * @property {string} stderr
 */

/** The process groups of the commands running now. */
const running = new Set()
/** @type {Array<() => void>} */
const cleanups = []
let stopHandled = false

/**
 * Registers `cleanup` to run (synchronously) if this process is stopped by SIGINT or SIGTERM,
 * once the commands it started have been stopped. Code that finishes normally cleans up itself.
 * @param {() => void} cleanup
 */
export const onStop = (cleanup) => {
  cleanups.push(cleanup)
  handleStop()
}

// Commands run in process groups of their own (so that a timeout kills their children too), out
// of reach of the terminal's Ctrl-C: stopping this process stops them, then cleans up.
const handleStop = () => {
  if (stopHandled) return
  stopHandled = true
  for (const [name, code] of /** @type {const} */ ([["SIGINT", 130], ["SIGTERM", 143]])) {
    process.once(name, () => {
      for (const pid of running) signal(pid, "SIGTERM")
      setTimeout(() => {
        for (const pid of running) signal(pid, "SIGKILL")
        for (const cleanup of cleanups) cleanup()
        process.exit(code)
      }, 2_000)
    })
  }
}

/**
 * Runs a command (no shell), collecting its output; kills its process group when `timeoutMs`
 * passes, and fails then. Never rejects for a non-zero exit: the caller decides.
 * @param {string} command
 * @param {ReadonlyArray<string>} args
 * @param {{ readonly cwd?: string, readonly env?: NodeJS.ProcessEnv, readonly timeoutMs: number, readonly echo?: boolean }} options
 * @returns {Promise<RunResult>}
 */
export const run = (command, args, options) =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    handleStop()
    running.add(child.pid)
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk
      if (options.echo === true) process.stdout.write(chunk)
    })
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk
      if (options.echo === true) process.stderr.write(chunk)
    })
    const timer = setTimeout(() => {
      killGroup(child.pid)
      reject(
        new Error(`${command} ${args.join(" ")} did not finish within ${options.timeoutMs} ms\n${stdout}${stderr}`)
      )
    }, options.timeoutMs)
    child.on("error", (error) => {
      running.delete(child.pid)
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code) => {
      running.delete(child.pid)
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
  })

/**
 * Like `run`, but fails unless the command exits 0.
 * @param {string} command
 * @param {ReadonlyArray<string>} args
 * @param {{ readonly cwd?: string, readonly env?: NodeJS.ProcessEnv, readonly timeoutMs: number, readonly echo?: boolean }} options
 * @returns {Promise<RunResult>}
 */
export const runOk = async (command, args, options) => {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${options.cwd ?? root}) exited ${result.code}\n${result.stdout}${result.stderr}`
    )
  }
  return result
}

/**
 * Sends a signal to a process group, if it is still there.
 * @param {number} pid
 * @param {NodeJS.Signals} name
 */
const signal = (pid, name) => {
  try {
    process.kill(-pid, name)
  } catch {
    // Already gone.
  }
}

/**
 * Stops a process started detached, with its children (its process group): SIGTERM first, so
 * that a runner like this one stops what it started in turn, then SIGKILL for what is left.
 * @param {number | undefined} pid
 */
export const killGroup = (pid) => {
  if (pid === undefined) return
  signal(pid, "SIGTERM")
  setTimeout(() => signal(pid, "SIGKILL"), 5_000).unref()
}

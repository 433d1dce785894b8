import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
export const bin = resolve(packageDir, "bin/kps-task.js")
const built = resolve(packageDir, "dist/bin.js")

/** The CLI is tested as users run it: the built executable. */
export const assertBuilt = (): void => {
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: the CLI tests run the built kps-task; run \`pnpm build\` first`)
  }
}

/** The environment of a test run: no credentials or regions of the machine's, no colours. */
export const cleanEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(HUAWEICLOUD_|CLOUD_SDK_|KPS_|NO_COLOR$|FORCE_COLOR$|HTTPS?_PROXY$|https?_proxy$)/.test(name)) {
      env[name] = value
    }
  }
  return { ...env, NO_COLOR: "1", ...extra }
}

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program to its end, collecting its output, killing it after `timeoutMs`. */
export const runProgram = (
  file: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly timeoutMs?: number } = {}
): Promise<Result> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { env: cleanEnv(options.env), stdio: "pipe" })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${args.join(" ")} did not end within ${options.timeoutMs ?? 15_000} ms:\n${stdout}\n${stderr}`))
    }, options.timeoutMs ?? 15_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolvePromise({ code, signal, stdout, stderr })
    })
  })

/** Runs `kps-task` with these arguments to its end, killing it after `timeoutMs`. */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly timeoutMs?: number } = {}
): Promise<Result> => runProgram(process.execPath, [bin, ...args], options)

/** A running `kps-task` process, for commands that run until stopped. */
export interface Running {
  readonly child: ChildProcess
  readonly firstLine: string
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  /** Sends `signal` and answers how the process ended (killed hard after `timeoutMs`). */
  readonly stop: (signal?: NodeJS.Signals, timeoutMs?: number) => Promise<Result>
}

/** Starts `kps-task` and waits for the first line of its standard output. */
export const start = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly timeoutMs?: number } = {}
): Promise<Running> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: cleanEnv(options.env), stdio: "pipe" })
    let stdout = ""
    let stderr = ""
    let ended: Result | undefined
    const endWaiters: Array<(result: Result) => void> = []
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(
        new Error(`kps-task ${args.join(" ")} printed no line within ${options.timeoutMs ?? 15_000} ms:\n${stderr}`)
      )
    }, options.timeoutMs ?? 15_000)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      ended = { code, signal, stdout, stderr }
      endWaiters.forEach((waiter) => waiter(ended!))
      reject(new Error(`kps-task ${args.join(" ")} ended before printing a line:\n${stdout}\n${stderr}`))
    })
    child.on("error", reject)
    const stop = (signal: NodeJS.Signals = "SIGTERM", timeoutMs = 10_000) =>
      new Promise<Result>((resolveStop) => {
        if (ended !== undefined) return resolveStop(ended)
        const hard = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
        endWaiters.push((result) => {
          clearTimeout(hard)
          resolveStop(result)
        })
        child.kill(signal)
      })
    child.stdout.on("data", (chunk: string) => {
      const before = stdout
      stdout += chunk
      const newline = stdout.indexOf("\n")
      if (before.includes("\n") || newline < 0) return
      clearTimeout(timer)
      resolvePromise({
        child,
        firstLine: stdout.slice(0, newline),
        output: () => ({ stdout, stderr }),
        stop
      })
    })
  })

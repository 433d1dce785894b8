import { Cli } from "@effect-kps/cli"
import { NodeContext } from "@effect/platform-node"
import { vi } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import type { Result } from "./cli.js"

/**
 * Runs `kps-task` in the test process (`Cli.run`), reading `env` as its environment and capturing
 * what it prints: fast, for tables of cases that the executable's own tests sample. It spies on the
 * console, so tests that use it must not run concurrently.
 */
export const runHere = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {}
): Promise<Result> => {
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const log = vi.spyOn(console, "log").mockImplementation((...parts: Array<unknown>) => stdout.push(parts.join(" ")))
  const error = vi.spyOn(console, "error").mockImplementation((...parts: Array<unknown>) =>
    stderr.push(parts.join(" "))
  )
  try {
    const code = await Effect.runPromise(
      Cli.run(["node", "kps-task", ...args]).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
        Effect.provide(NodeContext.layer)
      )
    )
    const lines = (printed: Array<string>) => printed.map((line) => `${line}\n`).join("")
    return { code, signal: null, stdout: lines(stdout), stderr: lines(stderr) }
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
}

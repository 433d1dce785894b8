import { Cli } from "@effect-kps/cli"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, vi } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"

const signals = ["SIGINT", "SIGTERM"] as const
const listeners = () => signals.map((signal) => process.listenerCount(signal))

describe("Cli.run", () => {
  it("answers the exit code", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {})
    try {
      const code = await Effect.runPromise(
        Cli.run(["node", "kps-task", "--help"]).pipe(Effect.provide(NodeContext.layer))
      )
      expect(code).toBe(0)
    } finally {
      log.mockRestore()
    }
  })

  // Signals belong to whoever runs the program: the `kps-task` executable's runtime
  // (NodeRuntime.runMain) turns them into an interruption; a program running `Cli.run` decides
  // for itself.
  it("leaves the process's signals alone, and stops when interrupted", async () => {
    const before = listeners()
    let listening: () => void = () => {}
    const started = new Promise<void>((resolve) => (listening = resolve))
    const log = vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      if (String(line).startsWith("listening on ")) listening()
    })
    try {
      const fiber = Effect.runFork(
        Cli.run(["node", "kps-task", "emulator", "--port", "0"]).pipe(Effect.provide(NodeContext.layer))
      )
      await started
      expect(listeners()).toEqual(before)
      const exit = await Effect.runPromise(Fiber.interrupt(fiber))
      expect(Exit.isInterrupted(exit)).toBe(true)
    } finally {
      log.mockRestore()
    }
  })
})

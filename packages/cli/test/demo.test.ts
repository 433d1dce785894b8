import { beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, run } from "./support/cli.js"

beforeAll(assertBuilt)

describe("kps-task demo", () => {
  it(
    "associates a key pair through the emulator, waits, prints the outcome, exits 0",
    async () => {
      const result = await run(["demo"])
      expect(result.code).toBe(0)
      expect(result.stderr).toBe("")
      const lines = result.stdout.trim().split("\n")
      expect(lines[0]).toMatch(/^emulator listening on http:\/\/127\.0\.0\.1:\d+$/)
      expect(result.stdout).toMatch(/accepted: task \S+/)
      expect(lines).toContain(lines.find((line) => line.startsWith("SUCCESS_RESET")))
      expect(lines.at(-1)).toMatch(
        /^outcome: task \S+ ended SUCCESS_RESET after \S+: key pair demo-keypair is associated/
      )
    }
  )
})

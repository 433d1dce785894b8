import { beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, run } from "./support/cli.js"
import { tripwire } from "./support/emulator.js"

// `kps-task runner` and `wait --postgres`: what they refuse before connecting anywhere. The fleet
// itself (runners sharing PostgreSQL) is proven in packages/workflow's PostgresEngine tests.
beforeAll(assertBuilt)

describe.concurrent("kps-task runner and wait --postgres: usage", () => {
  it("runner without --postgres is a usage error: exit 3, one line, nothing sent", async ({ onTestFinished }) => {
    const kps = await tripwire()
    onTestFinished(() => kps.close())
    const result = await run(["runner", "--endpoint", kps.url, "--token", "t"])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^kps-task: [^\n]*--postgres[^\n]*\n$/)
    expect(kps.requests()).toBe(0)
  })

  it("wait with both --store and --postgres is a usage error that never prints the database URL", async () => {
    const secret = "postgres://kps:hunter2-S3CR3T@127.0.0.1:1/waits"
    const result = await run(["wait", "t-1", "--store", "/nonexistent/waits.sqlite", "--postgres", secret])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain("--store and --postgres exclude each other")
    expect(result.stdout + result.stderr).not.toContain("hunter2")
  })

  it("lists runner in the help, with its options", async () => {
    const [root, runner] = await Promise.all([run(["--help"]), run(["runner", "--help"])])
    expect(root.stdout).toContain("runner")
    for (const option of ["--postgres", "--host", "--port", "--requests-per-second"]) {
      expect(runner.stdout).toContain(option)
    }
  })
})

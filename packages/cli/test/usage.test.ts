import { beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, run } from "./support/cli.js"

beforeAll(assertBuilt)

describe.concurrent("kps-task usage", () => {
  it("prints help and exits 0", { timeout: 20_000 }, async () => {
    const result = await run(["--help"])
    expect(result.code).toBe(0)
    for (const command of ["get", "wait", "emulator", "demo"]) expect(result.stdout).toContain(command)
    const wait = await run(["wait", "--help"])
    expect(wait.code).toBe(0)
    expect(wait.stdout).toContain("--timeout")
    expect(wait.stdout).toContain("--interval")
  })

  it("exits 3 on usage errors, saying what is wrong", { timeout: 40_000 }, async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [[], /missing command/],
      [["frobnicate"], /Invalid subcommand/],
      [["get"], /Missing argument <task-id>/],
      [["wait", "t-1", "--timeout", "soon"], /--timeout: "soon" is not a duration/]
    ]
    for (const [args, message] of cases) {
      const result = await run(args)
      expect(result.code, args.join(" ")).toBe(3)
      expect(result.stderr, args.join(" ")).toMatch(message)
      expect(result.stderr).not.toMatch(/\n\s+at /)
    }
  })

  it("exits 3 on configuration errors, naming the variables", { timeout: 30_000 }, async () => {
    const endpoint = ["--endpoint", "http://127.0.0.1:9"]
    const noCredentials = await run(["get", "t-1", ...endpoint])
    expect(noCredentials.code).toBe(3)
    expect(noCredentials.stderr).toMatch(/^kps-task: configuration: .*HUAWEICLOUD_SDK_AK/)
    expect(noCredentials.stderr.trim().split("\n")).toHaveLength(1)

    const halfKey = await run(["get", "t-1", ...endpoint, "--ak", "AK"])
    expect(halfKey.code).toBe(3)
    expect(halfKey.stderr).toContain("--ak is given but --sk is not")

    const unknownRegion = await run(["get", "t-1", "--region", "mars-1", "--token", "t", "--project-id", "p"])
    expect(unknownRegion.code).toBe(3)
    expect(unknownRegion.stderr).toContain("unknown region \"mars-1\"")

    const noRegion = await run(["get", "t-1", "--token", "t", "--project-id", "p"])
    expect(noRegion.code).toBe(3)
  })
})

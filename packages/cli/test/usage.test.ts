import { beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, run } from "./support/cli.js"
import { projectId } from "./support/emulator.js"

beforeAll(assertBuilt)

describe.concurrent("kps-task usage", () => {
  it("prints help and exits 0", async () => {
    const [result, wait] = await Promise.all([run(["--help"]), run(["wait", "--help"])])
    expect(result.code).toBe(0)
    for (const command of ["get", "wait", "associate", "disassociate", "tasks", "emulator", "demo"]) {
      expect(result.stdout).toContain(command)
    }
    expect(wait.code).toBe(0)
    expect(wait.stdout).toContain("--timeout")
    expect(wait.stdout).toContain("--interval")
  })

  it.for([
    { args: [], message: /missing command: give one of get, wait, associate, disassociate, tasks, emulator, demo/ },
    { args: ["tasks"], message: /missing command: give one of running, failed, clean \(see kps-task tasks --help\)/ },
    { args: ["frobnicate"], message: /Invalid subcommand/ },
    { args: ["get"], message: /Missing argument <task-id>/ },
    { args: ["wait", "t-1", "--timeout", "soon"], message: /--timeout: "soon" is not a duration/ }
  ])("exits 3 on usage errors, saying what is wrong: kps-task $args", async ({ args, message }) => {
    const result = await run(args)
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(message)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it("exits 3 on missing credentials, naming the variables, in one line", async () => {
    const result = await run(["get", "t-1", "--endpoint", "http://127.0.0.1:9"])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^kps-task: configuration: .*HUAWEICLOUD_SDK_AK/)
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
  })

  it.for([
    { args: ["--endpoint", "http://127.0.0.1:9", "--ak", "AK"], message: "--ak is given but --sk is not" },
    { args: ["--region", "mars-1", "--token", "t", "--project-id", projectId], message: "unknown region \"mars-1\"" },
    { args: ["--token", "t", "--project-id", projectId], message: "give `region`" }
  ])("exits 3 on configuration errors: kps-task get t-1 $args", async ({ args, message }) => {
    const result = await run(["get", "t-1", ...args])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(message)
  })
})

import { beforeAll, describe, expect, it } from "@effect/vitest"
import { createServer } from "node:http"
import { assertBuilt, bin, run, runProgram } from "./support/cli.js"
import { projectId } from "./support/emulator.js"
import { shellQuote, withoutTerminal } from "./support/terminal.js"

beforeAll(assertBuilt)

const escape = "\u001b["

/** The usage lines of a help text: those starting with `$ `. */
const usageLines = (help: string) => help.split("\n").filter((line) => line.startsWith("$ "))

/** Runs `kps-task` on a pseudo-terminal (util-linux `script`), as a user at a terminal does. */
const onTerminal = (args: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>>) =>
  runProgram("script", ["-qec", [process.execPath, bin, ...args].map(shellQuote).join(" "), "/dev/null"], { env })

/** An error as `kps-task` prints it: one line on stderr, prefixed, without escapes. */
const expectOneLine = (stderr: string) => {
  expect(stderr).toMatch(/^kps-task: [^\n]+\n$/)
  expect(stderr).not.toContain(escape)
}

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

  it("writes no ANSI escape into a pipe, NO_COLOR set or not", async () => {
    const cases = [
      ...[["--help"], ["get", "--help"], ["tasks", "--help"], ["tasks", "running", "--help"], ["emulator", "--help"]]
        .map((args) => ({ args, env: { NO_COLOR: undefined } })),
      { args: ["wait", "--help"], env: { NO_COLOR: "1" } },
      { args: ["--version"], env: { NO_COLOR: undefined } }
    ]
    const results = await Promise.all(cases.map(({ args, env }) => run(args, { env })))
    results.forEach((result, i) => {
      expect([cases[i].args, result.code]).toEqual([cases[i].args, 0])
      expect(result.stdout).toMatch(/\S/)
      expect(result.stdout).not.toContain(escape)
    })
  })

  it.skipIf(withoutTerminal)(
    "colours help on a terminal, unless NO_COLOR is set to anything but the empty string",
    async () => {
      const [plain, empty, unset] = await Promise.all([
        onTerminal(["get", "--help"], { NO_COLOR: "1" }),
        onTerminal(["get", "--help"], { NO_COLOR: "" }),
        onTerminal(["get", "--help"], { NO_COLOR: undefined })
      ])
      expect(plain.code).toBe(0)
      expect(plain.stdout).toContain("$ kps-task get")
      expect(plain.stdout).not.toContain(escape)
      // https://no-color.org: an empty NO_COLOR is as good as none.
      expect(empty.stdout).toContain(escape)
      expect(unset.stdout).toContain(escape)
      expect(unset.stdout.replace(/\u001b\[[0-9;]*m/g, "")).toBe(plain.stdout)
    }
  )

  it.for([
    { args: [], usage: "$ kps-task" },
    { args: ["get"], usage: "$ kps-task get [--json] [--endpoint URL] " },
    { args: ["wait"], usage: "$ kps-task wait [--timeout DURATION] " },
    { args: ["associate"], usage: "$ kps-task associate --keypair NAME --server ID " },
    { args: ["disassociate"], usage: "$ kps-task disassociate --server ID " },
    { args: ["tasks"], usage: "$ kps-task tasks" },
    { args: ["tasks", "running"], usage: "$ kps-task tasks running [--page-size N] " },
    { args: ["tasks", "failed"], usage: "$ kps-task tasks failed [--page-size N] " },
    { args: ["tasks", "clean"], usage: "$ kps-task tasks clean [--endpoint URL] " },
    { args: ["emulator"], usage: "$ kps-task emulator [--port PORT] " },
    { args: ["demo"], usage: "$ kps-task demo" }
  ])("names the whole command in its usage line: kps-task $args --help", async ({ args, usage }) => {
    const result = await run([...args, "--help"])
    expect(result.code).toBe(0)
    const lines = usageLines(result.stdout)
    expect(lines).toHaveLength(1)
    expect(lines[0].startsWith(usage)).toBe(true)
  })

  it.for([
    {
      args: [],
      message: "missing command: give one of get, wait, associate, disassociate, tasks, runner, emulator, demo"
    },
    { args: ["tasks"], message: "missing command: give one of running, failed, clean (see kps-task tasks --help)" },
    { args: ["frobnicate"], message: "Invalid subcommand for kps-task - use one of 'get', 'wait'" },
    { args: ["get"], message: "Missing argument <task-id>" },
    { args: ["get", "t-1", "--jsn"], message: "Received unknown argument: '--jsn'" },
    { args: ["emulator", "--port", "http"], message: "'http' is not a integer" },
    // Two problems, two paragraphs of @effect/cli's help document: one line.
    { args: ["associate"], message: "Expected to find option: '--keypair'; Expected to find option: '--server'" },
    { args: ["wait", "t-1", "--timeout", "soon"], message: "--timeout: \"soon\" is not a duration" }
  ])("exits 3 on usage errors, in one line: kps-task $args", async ({ args, message }) => {
    const result = await run(args, { env: { NO_COLOR: undefined } })
    expect(result.code).toBe(3)
    expectOneLine(result.stderr)
    expect(result.stderr).toContain(message)
    expect(result.stdout).toBe("")
  })

  it.skipIf(withoutTerminal)("prints a usage error in one line on a terminal too, without escapes", async () => {
    const result = await onTerminal(["associate"], { NO_COLOR: undefined })
    expect(result.code).toBe(3)
    // `script` writes the terminal's output, stderr included, on its stdout, with CRLF line ends.
    expectOneLine(result.stdout.replace(/\r\n/g, "\n"))
  })

  it("exits 3 on missing credentials, naming every flag and variable that gives them", async () => {
    const result = await run(["get", "t-1", "--endpoint", "http://127.0.0.1:9", "--project-id", projectId])
    expect(result.code).toBe(3)
    expectOneLine(result.stderr)
    expect(result.stderr).toBe(
      "kps-task: configuration: no credentials: give --token (or set KPS_TOKEN), or --ak and --sk (or set " +
        "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or CLOUD_SDK_AK and CLOUD_SDK_SK)\n"
    )
  })

  it.for([
    {
      name: "a token without a project id",
      args: ["--endpoint", "http://127.0.0.1:9", "--token", "t0ken"],
      env: {},
      message: "kps-task: no project id: give --project-id or set HUAWEICLOUD_SDK_PROJECT_ID\n"
    },
    {
      name: "access keys without a project id or a region",
      args: ["--endpoint", "http://127.0.0.1:9"],
      env: { HUAWEICLOUD_SDK_AK: "AK0000000000000001", HUAWEICLOUD_SDK_SK: "sk-S3CR3T" },
      message: "kps-task: no project id: give --project-id or set HUAWEICLOUD_SDK_PROJECT_ID; with an access key, " +
        "a region (--region or HUAWEICLOUD_SDK_REGION) looks it up in IAM instead\n"
    },
    {
      name: "no endpoint and no region",
      args: ["--token", "t0ken", "--project-id", projectId],
      env: {},
      message: "kps-task: no endpoint: give --endpoint, or a region with --region or HUAWEICLOUD_SDK_REGION\n"
    },
    {
      name: "an unknown region",
      args: ["--region", "mars-1", "--token", "t0ken", "--project-id", projectId],
      env: {},
      message: "kps-task: Invalid --region (or HUAWEICLOUD_SDK_REGION): unknown region \"mars-1\""
    },
    {
      name: "--ak without --sk",
      args: ["--endpoint", "http://127.0.0.1:9", "--ak", "AK", "--project-id", projectId],
      env: {},
      message: "kps-task: configuration: --ak is given but --sk is not\n"
    }
  ])("exits 3 on configuration errors, naming the flags and variables: $name", async ({ args, env, message }) => {
    const result = await run(["get", "t-1", ...args], { env })
    expect(result.code).toBe(3)
    expectOneLine(result.stderr)
    expect(result.stderr.startsWith(message)).toBe(true)
    expect(result.stderr).not.toMatch(/`|projectId/)
  })

  it("names --project-id when IAM has no project to look up", async ({ onTestFinished }) => {
    // IAM, answering that the credentials see no project named after the region.
    const iam = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      response.end(JSON.stringify({ projects: [] }))
    })
    await new Promise<void>((listening) => iam.listen(0, "127.0.0.1", listening))
    onTestFinished(() => new Promise<void>((closed) => iam.close(() => closed())))
    const address = iam.address()
    const result = await run(["get", "t-1", "--region", "cn-north-4", "--ak", "AK0000000000000001", "--sk", "sk"], {
      env: { HUAWEICLOUD_SDK_IAM_ENDPOINT: `http://127.0.0.1:${typeof address === "object" ? address?.port : 0}` }
    })
    expect(result.code).toBe(3)
    expectOneLine(result.stderr)
    expect(result.stderr).toBe(
      "kps-task: IAM has no project named cn-north-4 for these credentials: give --project-id or set " +
        "HUAWEICLOUD_SDK_PROJECT_ID\n"
    )
  })
})

import { beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, bin, firstLine, run, type Running, spawnProgram, start } from "./support/cli.js"
import { closedPort, type InProcess, projectId, startInProcess } from "./support/emulator.js"
import { shellQuote, withoutTerminal } from "./support/terminal.js"

// Every test gets its own emulator, whose clock only that test moves: a task is READY_RESET until
// the test sees the CLI print it and moves it on, so no test races the CLI against the clock.
const token = "get-wait-token-S3CR3T"
const ak = "GETWAITACCESSKEY0001"
const sk = "get-wait-secret-key-S3CR3T"

beforeAll(assertBuilt)

const emulatorFor = async (onTestFinished: (listener: () => Promise<void>) => void): Promise<InProcess> => {
  const emulator = await startInProcess({
    tokens: [token],
    accessKeys: { [ak]: sk },
    readyDuration: "1 second",
    taskDuration: "2 seconds"
  })
  onTestFinished(() => emulator.close())
  return emulator
}

const withToken = (emulator: InProcess) => ["--endpoint", emulator.url, "--project-id", projectId, "--token", token]

/** Moves the task READY → RUNNING → its end, each step once the CLI has shown the one before. */
const stepThrough = async (emulator: InProcess, waiting: Running) => {
  await waiting.until(/READY_RESET/)
  await emulator.advance("1 second")
  await waiting.until(/RUNNING_RESET/)
  await emulator.advance("1 second")
  return waiting.ended
}

describe.concurrent("kps-task get", () => {
  it("prints the task as a table, and as JSON with --json", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const task = await emulator.createTask({ serverId: "server-table" })
    const [table, json] = await Promise.all([
      run(["get", task.taskId, ...withToken(emulator)]),
      run(["get", task.taskId, ...withToken(emulator), "--json"])
    ])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(new RegExp(`task id\\s+${task.taskId}`))
    expect(table.stdout).toMatch(/status\s+READY_RESET\n/)
    expect(table.stdout).toMatch(/server id\s+server-table/)

    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({
      task_id: task.taskId,
      task_status: "READY_RESET",
      server_id: "server-table",
      phase: "pending",
      operation: "reset"
    })
  })

  it.for([
    {
      name: "HUAWEICLOUD_SDK_* access keys, project and region endpoint",
      args: [] as ReadonlyArray<string>,
      env: (url: string): Record<string, string> => ({
        HUAWEICLOUD_SDK_AK: ak,
        HUAWEICLOUD_SDK_SK: sk,
        HUAWEICLOUD_SDK_PROJECT_ID: projectId,
        HUAWEICLOUD_SDK_REGION: "cn-north-4",
        HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4: url
      })
    },
    {
      name: "the sample code's CLOUD_SDK_* access keys, with --region",
      args: ["--region", "ap-southeast-1", "--project-id", projectId],
      env: (url: string): Record<string, string> => ({
        CLOUD_SDK_AK: ak,
        CLOUD_SDK_SK: sk,
        HUAWEICLOUD_SDK_REGION_KPS_AP_SOUTHEAST_1: url
      })
    },
    {
      name: "KPS_TOKEN, with --endpoint",
      args: ["--endpoint", "URL"],
      env: (): Record<string, string> => ({ KPS_TOKEN: token, HUAWEICLOUD_SDK_PROJECT_ID: projectId })
    }
  ])("reads credentials, project and endpoint from the environment: $name", async (example, { onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const task = await emulator.createTask()
    const args = example.args.map((arg) => arg === "URL" ? emulator.url : arg)
    const result = await run(["get", task.taskId, ...args, "--json"], { env: example.env(emulator.url) })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).task_id).toBe(task.taskId)
    expect(result.stdout + result.stderr).not.toContain(sk)
    expect(result.stdout + result.stderr).not.toContain(token)
  })
})

// The waits spend most of their time asleep: they run side by side.
describe.concurrent("kps-task wait", () => {
  it.for([
    { start: "at its usual speed", slowStartMs: undefined },
    // Longer than any status lasted when these tests raced the CLI against the clock.
    { start: "when the CLI is slow to start", slowStartMs: 6_000 }
  ])("prints one line per status change without a terminal, and exits 0, $start", async (example, {
    onTestFinished
  }) => {
    const emulator = await emulatorFor(onTestFinished)
    const task = await emulator.createTask()
    const waiting = start(["wait", task.taskId, ...withToken(emulator), "--interval", "100ms"], {
      slowStartMs: example.slowStartMs
    })
    const result = await stepThrough(emulator, waiting)
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split("\n")
    for (const line of lines) expect(line).toMatch(/^[A-Z_]+ \((pending|succeeded)\) after \S+, \d+ requests?$/)
    expect(lines.map((line) => line.split(" ")[0])).toEqual(["READY_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
    expect(result.stdout).not.toContain("\r")
    expect(result.stderr).toBe("")
  })

  it("prints JSON Lines with --json", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const task = await emulator.createTask()
    const waiting = start(["wait", task.taskId, ...withToken(emulator), "--json", "--interval", "100ms"])
    const result = await stepThrough(emulator, waiting)
    expect(result.code).toBe(0)
    const records = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
    for (const record of records) {
      expect(record).toMatchObject({ task_id: task.taskId, operation: "reset" })
      expect(record.attempts).toBeGreaterThan(0)
      expect(record.elapsed_ms).toBeGreaterThanOrEqual(0)
    }
    expect(records.map((record) => record.task_status)).toEqual(["READY_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
    expect(records.map((record) => record.phase)).toEqual(["pending", "pending", "succeeded"])
  })

  it.skipIf(withoutTerminal)("draws one live line on a terminal", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const task = await emulator.createTask()
    const command = [process.execPath, bin, "wait", task.taskId, ...withToken(emulator), "--interval", "100ms"]
      .map(shellQuote)
      .join(" ")
    const result = await stepThrough(emulator, spawnProgram("script", ["-qec", command, "/dev/null"]))
    expect(result.code).toBe(0)
    const output = result.stdout
    // Redrawn in place (carriage return, erase line), ending on the final status and a newline.
    expect(output).toContain("\r\u001b[2K")
    const last = output.trim().split("\r\u001b[2K").at(-1)!
    expect(last).toMatch(new RegExp(`✔ ${task.taskId} SUCCESS_RESET · \\S+ · \\d+ requests?`))
    expect(output.trim().split("\n")).toHaveLength(1)
  })

  it.for([
    { signal: "SIGINT" as const, code: 130 },
    { signal: "SIGTERM" as const, code: 143 }
  ])("exits $code when stopped by $signal", async ({ code, signal }, { onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const task = await emulator.createTask()
    const waiting = start(["wait", task.taskId, ...withToken(emulator), "--interval", "100ms"])
    expect(await firstLine(waiting)).toMatch(/^READY_RESET \(pending\)/)
    const ended = await waiting.stop(signal)
    expect(ended.code).toBe(code)
    expect(ended.stderr).toBe("")
  })

  it("exits 1 when the task fails", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const task = await emulator.createTask({ fail: true })
    const waiting = start(["wait", task.taskId, ...withToken(emulator), "--interval", "100ms"])
    const result = await stepThrough(emulator, waiting)
    expect(result.code).toBe(1)
    expect(result.stdout.trim().split("\n").map((line) => line.split(" ")[0]))
      .toEqual(["READY_RESET", "RUNNING_RESET", "FAILED_RESET"])
    expect(result.stdout.trim().split("\n").at(-1)).toMatch(/^FAILED_RESET \(failed\)/)
    expect(result.stderr).toBe(`kps-task: Task ${task.taskId} ended as FAILED_RESET\n`)
  })

  it("exits 2 when --timeout passes first", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    // The task stays READY_RESET: the test never moves the clock.
    const task = await emulator.createTask()
    const result = await run(["wait", task.taskId, ...withToken(emulator), "--timeout", "1s", "--interval", "100ms"])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^kps-task: Task \S+ did not end within the deadline \(\d+ requests(; last status READY_RESET)?\)\n$/
    )
    // Whether an answer came before the deadline depends on the machine; what was shown was READY.
    const shown = result.stdout.trim().split("\n").filter((line) => line !== "")
    for (const line of shown) expect(line).toMatch(/^READY_RESET \(pending\)/)
    if (shown.length > 0) expect(result.stderr).toContain("last status READY_RESET")
  })
})

describe.concurrent("API and transport errors", () => {
  it("exits 4 on a rejected token, with the request id and without the token", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const task = await emulator.createTask()
    const secret = "wrong-token-N0T-PR1NTED"
    const result = await run([
      "wait",
      task.taskId,
      "--endpoint",
      emulator.url,
      "--project-id",
      projectId,
      "--token",
      secret
    ])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^kps-task: KPS answered HTTP 401 APIG\.0301: .* \(request id \S+\)\n$/)
    expect(result.stdout + result.stderr).not.toContain(secret)
  })

  it("exits 4 on a rejected signature, without the secret key", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const secret = "wrong-secret-N0T-PR1NTED"
    const result = await run([
      "get",
      "t-1",
      "--endpoint",
      emulator.url,
      "--project-id",
      projectId,
      "--ak",
      ak,
      "--sk",
      secret
    ])
    expect(result.code).toBe(4)
    expect(result.stderr).toContain("HTTP 401")
    expect(result.stdout + result.stderr).not.toContain(secret)
  })

  it("exits 4 when nothing listens", async () => {
    const port = await closedPort()
    const result = await run([
      "get",
      "t-1",
      "--endpoint",
      `http://127.0.0.1:${port}`,
      "--project-id",
      projectId,
      "--token",
      token
    ])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^kps-task: KPS request got no answer \(ConnectionRefused\)/)
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    expect(result.stderr).not.toContain(token)
  })
})

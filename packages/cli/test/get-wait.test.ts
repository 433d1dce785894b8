import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { assertBuilt, bin, run, runProgram, start } from "./support/cli.js"
import { closedPort, type InProcess, projectId, startInProcess } from "./support/emulator.js"

const token = "get-wait-token-S3CR3T"
const ak = "GETWAITACCESSKEY0001"
const sk = "get-wait-secret-key-S3CR3T"

let emulator: InProcess

beforeAll(async () => {
  assertBuilt()
  emulator = await startInProcess({ tokens: [token], accessKeys: { [ak]: sk }, taskDuration: "300 millis" })
})

afterAll(() => emulator?.close())

const withToken = () => ["--endpoint", emulator.url, "--project-id", projectId, "--token", token]

/** Status lines: one per status change, never the same status twice in a row. */
const expectChanges = (statuses: ReadonlyArray<string>, last: string) => {
  expect(statuses.length).toBeGreaterThan(0)
  expect(statuses.at(-1)).toBe(last)
  statuses.slice(1).forEach((status, i) => expect(status).not.toBe(statuses[i]))
}

/** util-linux `script`, to run the CLI on a pseudo-terminal. */
const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

const shellQuote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`

describe("kps-task get", () => {
  it("prints the task as a table, and as JSON with --json", { timeout: 20_000 }, async () => {
    const task = await emulator.createTask({ serverId: "server-table" })
    const table = await run(["get", task.taskId, ...withToken()])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(new RegExp(`task id\\s+${task.taskId}`))
    expect(table.stdout).toMatch(/status\s+(READY|RUNNING|SUCCESS)_RESET/)
    expect(table.stdout).toMatch(/server id\s+server-table/)

    const json = await run(["get", task.taskId, ...withToken(), "--json"])
    expect(json.code).toBe(0)
    const parsed = JSON.parse(json.stdout)
    expect(parsed).toMatchObject({ task_id: task.taskId, server_id: "server-table", operation: "reset" })
    expect(parsed.task_status).toMatch(/_RESET$/)
  })

  it("reads credentials, project and endpoint from the environment", { timeout: 30_000 }, async () => {
    const task = await emulator.createTask()
    const env = await run(["get", task.taskId, "--json"], {
      env: {
        HUAWEICLOUD_SDK_AK: ak,
        HUAWEICLOUD_SDK_SK: sk,
        HUAWEICLOUD_SDK_PROJECT_ID: projectId,
        HUAWEICLOUD_SDK_REGION: "cn-north-4",
        HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4: emulator.url
      }
    })
    expect(env.code).toBe(0)
    expect(JSON.parse(env.stdout).task_id).toBe(task.taskId)

    const sample = await run(["get", task.taskId, "--region", "ap-southeast-1", "--project-id", projectId], {
      env: { CLOUD_SDK_AK: ak, CLOUD_SDK_SK: sk, HUAWEICLOUD_SDK_REGION_KPS_AP_SOUTHEAST_1: emulator.url }
    })
    expect(sample.code).toBe(0)

    const envToken = await run(["get", task.taskId, "--endpoint", emulator.url], {
      env: { KPS_TOKEN: token, HUAWEICLOUD_SDK_PROJECT_ID: projectId }
    })
    expect(envToken.code).toBe(0)
    for (const result of [env, sample, envToken]) {
      expect(result.stdout + result.stderr).not.toContain(sk)
      expect(result.stdout + result.stderr).not.toContain(token)
    }
  })
})

// The waits spend most of their time asleep: they run side by side.
describe.concurrent("kps-task wait", () => {
  it("prints one line per status change without a terminal, and exits 0", { timeout: 20_000 }, async () => {
    // READY long enough for the process to start even on a busy machine, then RUNNING, SUCCESS.
    const task = await emulator.createTask({ readyDuration: "5 seconds", taskDuration: "6500 millis" })
    const result = await run(["wait", task.taskId, ...withToken(), "--interval", "100ms"])
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split("\n")
    for (const line of lines) expect(line).toMatch(/^[A-Z_]+ \((pending|succeeded)\) after \S+, \d+ requests?$/)
    expectChanges(lines.map((line) => line.split(" ")[0]), "SUCCESS_RESET")
    expect(lines.map((line) => line.split(" ")[0])).toEqual(["READY_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
    expect(result.stdout).not.toContain("\r")
  })

  it("prints JSON Lines with --json", { timeout: 20_000 }, async () => {
    const task = await emulator.createTask({ readyDuration: "5 seconds", taskDuration: "6 seconds" })
    const result = await run(["wait", task.taskId, ...withToken(), "--json", "--interval", "100ms"])
    expect(result.code).toBe(0)
    const records = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
    for (const record of records) {
      expect(record).toMatchObject({ task_id: task.taskId, operation: "reset" })
      expect(typeof record.attempts).toBe("number")
      expect(typeof record.elapsed_ms).toBe("number")
    }
    expectChanges(records.map((record) => record.task_status), "SUCCESS_RESET")
    expect(records.map((record) => record.task_status)).toEqual(["READY_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
    expect(records.at(-1).phase).toBe("succeeded")
  })

  it.skipIf(!hasScript)("draws one live line on a terminal", { timeout: 20_000 }, async () => {
    const task = await emulator.createTask({ readyDuration: "1 second", taskDuration: "2 seconds" })
    const command = [process.execPath, bin, "wait", task.taskId, ...withToken(), "--interval", "100ms"]
      .map(shellQuote)
      .join(" ")
    const result = await runProgram("script", ["-qec", command, "/dev/null"])
    expect(result.code).toBe(0)
    const output = result.stdout
    // Redrawn in place (carriage return, erase line), ending on the final status and a newline.
    expect(output).toContain("\r\u001b[2K")
    const last = output.trim().split("\r\u001b[2K").at(-1)!
    expect(last).toMatch(new RegExp(`✔ ${task.taskId} SUCCESS_RESET · \\S+ · \\d+ requests?`))
    expect(output.trim().split("\n")).toHaveLength(1)
  })

  it("exits 130 when interrupted", { timeout: 20_000 }, async () => {
    const task = await emulator.createTask({ taskDuration: "1 minute" })
    const waiting = await start(["wait", task.taskId, ...withToken(), "--interval", "100ms"])
    expect(waiting.firstLine).toMatch(/^(READY|RUNNING)_RESET/)
    const ended = await waiting.stop("SIGINT")
    expect(ended.code).toBe(130)
  })

  it("exits 1 when the task fails", { timeout: 20_000 }, async () => {
    const task = await emulator.createTask({ fail: true })
    const result = await run(["wait", task.taskId, ...withToken(), "--interval", "100ms"])
    expect(result.code).toBe(1)
    expect(result.stdout.trim().split("\n").at(-1)).toMatch(/^FAILED_RESET \(failed\)/)
    expect(result.stderr).toBe(`kps-task: Task ${task.taskId} ended as FAILED_RESET\n`)
  })

  it("exits 2 when --timeout passes first", { timeout: 20_000 }, async () => {
    const task = await emulator.createTask({ taskDuration: "1 minute" })
    const result = await run(["wait", task.taskId, ...withToken(), "--timeout", "500ms", "--interval", "100ms"])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^kps-task: Task \S+ did not end within the deadline \(\d+ requests; last status (READY|RUNNING)_RESET\)\n$/
    )
  })
})

describe.concurrent("API and transport errors", () => {
  it("exits 4 on a rejected token, with the request id and without the token", { timeout: 20_000 }, async () => {
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

  it("exits 4 on a rejected signature, without the secret key", { timeout: 20_000 }, async () => {
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

  it("exits 4 when nothing listens", { timeout: 20_000 }, async () => {
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

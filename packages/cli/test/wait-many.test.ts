import { beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, bin, run, spawnProgram, start } from "./support/cli.js"
import { type InProcess, projectId, startInProcess } from "./support/emulator.js"
import { runHere } from "./support/inProcess.js"
import { shellQuote, withoutTerminal } from "./support/terminal.js"

// `kps-task wait` on several tasks: each shown as it goes, the exit code the worst outcome. Tasks
// created with a zero duration have ended when first read; the others move only when the test
// moves the emulator's clock, or never (to time out).
const token = "wait-many-token-S3CR3T"

beforeAll(assertBuilt)

const emulatorFor = async (onTestFinished: (listener: () => Promise<void>) => void): Promise<InProcess> => {
  const emulator = await startInProcess({ tokens: [token], readyDuration: "1 second", taskDuration: "2 seconds" })
  onTestFinished(() => emulator.close())
  return emulator
}

const withToken = (emulator: InProcess) => ["--endpoint", emulator.url, "--project-id", projectId, "--token", token]

/** A task that has succeeded, and one that has failed, when first read. */
const ended = async (emulator: InProcess) => ({
  succeeded: await emulator.createTask({ serverId: "server-ok", taskDuration: 0 }),
  failed: await emulator.createTask({ serverId: "server-ko", taskDuration: 0, fail: true })
})

/** The lines of one task, of text output labelled with task ids. */
const linesOf = (stdout: string, taskId: string) =>
  stdout.trim().split("\n").filter((line) => line.startsWith(`${taskId}: `)).map((line) =>
    line.slice(taskId.length + 2)
  )

describe.concurrent("kps-task wait on several tasks", () => {
  it("prints each task's status changes prefixed with its id, and exits 1 when one failed", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const succeeds = await emulator.createTask({ serverId: "server-1" })
    const fails = await emulator.createTask({ serverId: "server-2", fail: true })
    // The same id twice is waited on once.
    const waiting = start(
      ["wait", succeeds.taskId, fails.taskId, succeeds.taskId, ...withToken(emulator), "--interval", "100ms"]
    )
    const both = (status: string) =>
      new RegExp(
        `(^|\\n)${succeeds.taskId}: ${status}[^]*(^|\\n)${fails.taskId}: ${status}|` +
          `(^|\\n)${fails.taskId}: ${status}[^]*(^|\\n)${succeeds.taskId}: ${status}`
      )
    await waiting.until(both("READY_RESET"))
    await emulator.advance("1 second")
    await waiting.until(both("RUNNING_RESET"))
    await emulator.advance("1 second")
    const result = await waiting.ended

    expect(result.code).toBe(1)
    const statuses = (taskId: string) => linesOf(result.stdout, taskId).map((line) => line.split(" ")[0])
    expect(statuses(succeeds.taskId)).toEqual(["READY_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
    expect(statuses(fails.taskId)).toEqual(["READY_RESET", "RUNNING_RESET", "FAILED_RESET"])
    for (const line of result.stdout.trim().split("\n")) {
      expect(line).toMatch(/^\S+: [A-Z_]+ \((pending|succeeded|failed)\) after \S+, \d+ requests?$/)
    }
    expect(result.stderr).toBe(`kps-task: Task ${fails.taskId} ended as FAILED_RESET\n`)
  })

  it("exits 2 when one timed out and another failed", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const { failed } = await ended(emulator)
    // It stays READY_RESET: the test never moves the clock.
    const stuck = await emulator.createTask()
    const result = await run(["wait", failed.taskId, stuck.taskId, ...withToken(emulator), "--timeout", "3s"])
    expect(result.code).toBe(2)
    // One line per task that did not succeed, in the order given.
    const errors = result.stderr.trim().split("\n")
    expect(errors).toHaveLength(2)
    expect(errors[0]).toBe(`kps-task: Task ${failed.taskId} ended as FAILED_RESET`)
    expect(errors[1]).toMatch(new RegExp(`^kps-task: Task ${stuck.taskId} did not end within the deadline`))
    expect(linesOf(result.stdout, failed.taskId)).toEqual([expect.stringMatching(/^FAILED_RESET \(failed\)/)])
  })

  it("writes JSON Lines with each task's id, and exits 4 when one got an API error, the worst", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const { failed, succeeded } = await ended(emulator)
    const stuck = await emulator.createTask()
    const unknown = "no-such-task"
    const ids = [succeeded.taskId, failed.taskId, stuck.taskId, unknown]
    const result = await run(["wait", ...ids, ...withToken(emulator), "--timeout", "3s", "--json"])
    expect(result.code).toBe(4)

    const records = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
    for (const record of records) expect(ids).toContain(record.task_id)
    const statusesOf = (taskId: string) =>
      records.filter((record) => record.task_id === taskId).map((record) => record.task_status)
    expect(statusesOf(succeeded.taskId)).toEqual(["SUCCESS_RESET"])
    expect(statusesOf(failed.taskId)).toEqual(["FAILED_RESET"])
    expect(statusesOf(unknown)).toEqual([])
    for (const status of statusesOf(stuck.taskId)) expect(status).toBe("READY_RESET")

    const errors = result.stderr.trim().split("\n")
    expect(errors).toHaveLength(3)
    expect(errors[0]).toBe(`kps-task: Task ${failed.taskId} ended as FAILED_RESET`)
    expect(errors[1]).toMatch(new RegExp(`^kps-task: Task ${stuck.taskId} did not end within the deadline`))
    expect(errors[2]).toMatch(/^kps-task: KPS answered HTTP 404 KPS\.0001: .* \(request id \S+\)$/)
  })

  it.skipIf(withoutTerminal)(
    "draws one live row per task on a terminal, redrawn in place",
    async ({ onTestFinished }) => {
      const emulator = await emulatorFor(onTestFinished)
      const { failed, succeeded } = await ended(emulator)
      const command = [process.execPath, bin, "wait", succeeded.taskId, failed.taskId, ...withToken(emulator)]
        .map(shellQuote)
        .join(" ")
      const result = await spawnProgram("script", ["-qec", command, "/dev/null"]).ended
      expect(result.code).toBe(1)
      // Every drawing after the first goes back up to the first row, then draws both rows.
      const drawings = result.stdout.split("\u001b[1A")
      expect(drawings.length).toBeGreaterThan(1)
      const last = drawings.at(-1)!.split("kps-task:")[0].split("\r\u001b[2K").filter((row) => row.trim() !== "")
      expect(last).toHaveLength(2)
      expect(last[0]).toMatch(new RegExp(`^✔ ${succeeded.taskId} SUCCESS_RESET · \\S+ · 1 request`))
      expect(last[1]).toMatch(new RegExp(`^✖ ${failed.taskId} FAILED_RESET · \\S+ · 1 request`))
      expect(result.stdout).toContain(`kps-task: Task ${failed.taskId} ended as FAILED_RESET`)
    }
  )
})

describe("kps-task wait on several tasks, in the test process", () => {
  it("exits 3 when one task id is malformed, naming it", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const { succeeded } = await ended(emulator)
    const result = await runHere(["wait", succeeded.taskId, "a/b", ...withToken(emulator)])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^kps-task: Invalid <task-id>: "a\/b" contains a character not allowed/)
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
  })
})

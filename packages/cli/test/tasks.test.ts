import { beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, run } from "./support/cli.js"
import { type InProcess, projectId, startInProcess } from "./support/emulator.js"
import { runHere } from "./support/inProcess.js"

// The task lists and their cleaning, against the emulator over real sockets. Its clock does not
// move unless a test moves it: a task created with the default duration stays running, one created
// to fail at once has failed.
const token = "tasks-token-S3CR3T"
const ak = "TASKSACCESSKEY000001"
const sk = "tasks-secret-key-S3CR3T"

beforeAll(assertBuilt)

const emulatorFor = async (onTestFinished: (listener: () => Promise<void>) => void): Promise<InProcess> => {
  const emulator = await startInProcess({ tokens: [token], accessKeys: { [ak]: sk }, taskDuration: "1 minute" })
  onTestFinished(() => emulator.close())
  return emulator
}

const withToken = (url: string) => ["--endpoint", url, "--project-id", projectId, "--token", token]
const withKeys = (url: string) => ["--endpoint", url, "--project-id", projectId, "--ak", ak, "--sk", sk]

/** Three running tasks, three failed ones (one without an error message), one that succeeded. */
const populate = async (emulator: InProcess) => {
  const running = [
    await emulator.createTask({ serverId: "server-r1", serverName: "web-1", keypairName: "kp-1" }),
    await emulator.createTask({ serverId: "server-r2", keypairName: "kp-2" }),
    await emulator.createTask({ serverId: "server-r3", operation: "disassociate" })
  ]
  const failed = [
    await emulator.createTask({
      serverId: "server-f1",
      keypairName: "kp-1",
      taskDuration: 0,
      fail: { code: "KPS.9001", message: "ssh \u001b[2Jlogin refused" }
    }),
    await emulator.createTask({ serverId: "server-f2", taskDuration: 0, fail: { code: "KPS.9002", message: "" } }),
    await emulator.createTask({ serverId: "server-f3", operation: "disassociate", taskDuration: 0, fail: true })
  ]
  await emulator.createTask({ serverId: "server-s1", taskDuration: 0 })
  return { running, failed }
}

describe.concurrent("kps-task tasks running|failed", () => {
  it("lists every page, as a table and as JSON Lines with the API's field names", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const { failed, running } = await populate(emulator)
    // Two tasks a page: two pages each, the second half full.
    const [runningTable, runningJson, failedTable, failedJson] = await Promise.all([
      run(["tasks", "running", "--page-size", "2", ...withToken(emulator.url)]),
      run(["tasks", "running", "--page-size", "2", "--json", ...withKeys(emulator.url)]),
      run(["tasks", "failed", "--page-size", "2", ...withKeys(emulator.url)]),
      run(["tasks", "failed", "--page-size", "2", "--json", ...withToken(emulator.url)])
    ])
    for (const result of [runningTable, runningJson, failedTable, failedJson]) {
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toBe("")
      expect(result.stdout + result.stderr).not.toContain(sk)
      expect(result.stdout + result.stderr).not.toContain(token)
    }

    const rows = (stdout: string) => stdout.trim().split("\n").map((line) => line.split(/\s{2,}/))
    const [runningHeader, ...runningRows] = rows(runningTable.stdout)
    expect(runningHeader).toEqual(["TASK ID", "OPERATION", "TIME", "SERVER NAME", "SERVER ID", "KEY PAIR"])
    expect(runningRows).toEqual([
      [
        running[0].taskId,
        "RESET",
        expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        "web-1",
        "server-r1",
        "kp-1"
      ],
      [running[1].taskId, "RESET", expect.any(String), "emulated-server-server-r2", "server-r2", "kp-2"],
      [running[2].taskId, "UNBIND", expect.any(String), "emulated-server-server-r3", "server-r3", "-"]
    ])

    const runningRecords = runningJson.stdout.trim().split("\n").map((line) => JSON.parse(line))
    expect(runningRecords).toEqual(running.map((task) => ({
      task_id: task.taskId,
      operate_type: task.operation === "associate" ? "RESET" : "UNBIND",
      task_time: task.createdAt,
      server_name: task.serverName,
      server_id: task.serverId,
      keypair_name: task.keypairName ?? "",
      operation: task.operation === "associate" ? "reset" : "unbind"
    })))

    const [failedHeader, ...failedRows] = rows(failedTable.stdout)
    expect(failedHeader.at(-1)).toBe("ERROR")
    expect(failedRows.map((row) => [row[0], row.at(-1)])).toEqual([
      // Text from the server cannot move the cursor.
      [failed[0].taskId, "KPS.9001: ssh ?[2Jlogin refused"],
      [failed[1].taskId, "KPS.9002"],
      [failed[2].taskId, "EMULATOR.0001: The emulator was told to fail this task"]
    ])

    const failedRecords = failedJson.stdout.trim().split("\n").map((line) => JSON.parse(line))
    expect(failedRecords.map((record) => [record.task_id, record.task_error_code, record.task_error_msg])).toEqual([
      [failed[0].taskId, "KPS.9001", "ssh \u001b[2Jlogin refused"],
      [failed[1].taskId, "KPS.9002", ""],
      [failed[2].taskId, "EMULATOR.0001", "The emulator was told to fail this task"]
    ])
    expect(failedRecords[2]).toMatchObject({ operate_type: "UNBIND", operation: "unbind", server_id: "server-f3" })
  })
})

// In the test process, one after the other: it captures the console.
describe("kps-task tasks running|failed, in the test process", () => {
  it("says so when a list is empty, and prints nothing with --json", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const running = await runHere(["tasks", "running", ...withToken(emulator.url)])
    const failed = await runHere(["tasks", "failed", ...withToken(emulator.url)])
    const json = await runHere(["tasks", "failed", "--json", ...withToken(emulator.url)])
    expect([running, failed, json].map((result) => [result.code, result.stdout])).toEqual([
      [0, "no running tasks\n"],
      [0, "no failed tasks\n"],
      [0, ""]
    ])
  })
})

describe.concurrent("kps-task tasks clean", () => {
  it("deletes one failed task, then all of them; a task not among the failed ones exits 4", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const { failed, running } = await populate(emulator)
    const failedIds = async () =>
      (await emulator.run(emulator.store.failed(projectId, { limit: 100, offset: 0 }))).tasks.map((task) => task.taskId)

    const one = await run(["tasks", "clean", failed[1].taskId, ...withToken(emulator.url)])
    expect(one.code, one.stderr).toBe(0)
    expect(one.stdout).toBe(`deleted failed task ${failed[1].taskId}\n`)
    expect(await failedIds()).toEqual([failed[0].taskId, failed[2].taskId])

    const [again, notFailed] = await Promise.all([
      run(["tasks", "clean", failed[1].taskId, ...withKeys(emulator.url)]),
      run(["tasks", "clean", running[0].taskId, ...withToken(emulator.url)])
    ])
    for (const result of [again, notFailed]) {
      expect(result.code).toBe(4)
      expect(result.stderr).toMatch(/^kps-task: KPS answered HTTP 404 \S+: .* \(request id \S+\)\n$/)
      expect(result.stdout).toBe("")
    }
    expect(await failedIds()).toEqual([failed[0].taskId, failed[2].taskId])

    const all = await run(["tasks", "clean", ...withKeys(emulator.url)])
    expect(all.code, all.stderr).toBe(0)
    expect(all.stdout).toBe("deleted every failed task\n")
    expect(await failedIds()).toEqual([])
    // The running tasks are left alone.
    expect((await emulator.run(emulator.store.running(projectId, { limit: 100, offset: 0 }))).total).toBe(3)
  })
})

import { KeypairTask, KpsError } from "@effect-kps/core"
import type { TaskWaiter } from "@effect-kps/polling"
import { beforeAll, describe, expect, it, type TestContext } from "@effect/vitest"
import { Duration } from "effect"
import { spawn } from "node:child_process"
import * as Render from "../src/internal/render.js"
import { assertBuilt, bin, cleanEnv } from "./support/cli.js"
import { closedPort, projectId } from "./support/emulator.js"
import { shellQuote, withoutTerminal } from "./support/terminal.js"

const token = "retry-token-S3CR3T"

beforeAll(() => assertBuilt())

/**
 * Runs a program until its standard output satisfies `until`, then stops it (SIGTERM) and answers
 * the output so far. Fails if the program ends first; the test's own timeout bounds the wait, and
 * the program is stopped when the test ends, however it ends.
 */
const readUntil = (
  test: TestContext,
  file: string,
  args: ReadonlyArray<string>,
  until: (stdout: string) => boolean
) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(file, args, { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] })
    test.onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    })
    let stdout = ""
    let stderr = ""
    let done = false
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (!done && until(stdout)) {
        done = true
        child.kill("SIGTERM")
        resolve(stdout)
      }
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", () => {
      if (!done) reject(new Error(`${args.join(" ")} ended first:\n${stdout}\n${stderr}`))
    })
  })

const unreachable = async () => [
  "--endpoint",
  `http://127.0.0.1:${await closedPort()}`,
  "--project-id",
  projectId,
  "--token",
  token
]

const taskId = "42c1e6eb-e8be-4df6-a50c-7b485820c561"

describe.concurrent("kps-task wait: an endpoint that does not answer", () => {
  it("says at once what it retries and why, one line per retry", { timeout: 30_000 }, async (test) => {
    const stdout = await readUntil(
      test,
      process.execPath,
      [bin, "wait", taskId, ...await unreachable()],
      (out) => out.includes("\n")
    )
    expect(stdout.split("\n")[0]).toMatch(/^retrying: connection refused \(attempt 1, next in \S+\)$/)
    expect(stdout).not.toContain(token)
  })

  it("writes a JSON Lines record per retry with --json", { timeout: 30_000 }, async (test) => {
    const stdout = await readUntil(
      test,
      process.execPath,
      [bin, "wait", taskId, "--json", ...await unreachable()],
      (out) => out.includes("\n")
    )
    expect(JSON.parse(stdout.split("\n")[0])).toMatchObject({
      event: "retry",
      task_id: taskId,
      error: "KpsTransportError",
      reason: "connection refused",
      classification: "transient",
      attempt: 1,
      retries_left: 9,
      next_in_ms: 1_000,
      attempts: 1
    })
  })

  it.skipIf(withoutTerminal)(
    "shows the retry on the live line, counting the failed requests",
    { timeout: 30_000 },
    async (test) => {
      const command = [process.execPath, bin, "wait", taskId, ...await unreachable()].map(shellQuote).join(" ")
      const output = await readUntil(test, "script", ["-qec", command, "/dev/null"], (out) => out.includes("retrying:"))
      const drawn = output.split("\r\u001b[2K").filter((line) => line.includes("retrying:"))
      expect(drawn[0]).toMatch(
        new RegExp(`${taskId} waiting · \\S+ · 1 request · retrying: connection refused \\(attempt 1, next in \\S+\\)`)
      )
    }
  )
})

describe("what a retry looks like", () => {
  const retry = (error: KpsError.KpsError, overrides: Partial<TaskWaiter.Retry> = {}): TaskWaiter.Retry => ({
    taskId: "t-1",
    error,
    classification: KpsError.classify(error) === "throttled" ? "throttled" : "transient",
    attempt: 4,
    retriesLeft: 6,
    delay: Duration.seconds(8),
    ...overrides
  })

  it("names the failure in a few words, the server's text made safe", () => {
    const line = (error: KpsError.KpsError) => Render.retryText({ retry: retry(error), nextInMillis: 8_000 })
    expect(line(new KpsError.KpsTransportError({ reason: "ConnectionRefused", description: "ECONNREFUSED" })))
      .toBe("retrying: connection refused (attempt 4, next in 8.0s)")
    expect(line(new KpsError.KpsTransportError({ reason: "Timeout", description: "" })))
      .toBe("retrying: no answer in time (attempt 4, next in 8.0s)")
    expect(line(new KpsError.KpsApiError({ status: 429, errorCode: "APIG.0308", errorMessage: "over ratelimit" })))
      .toBe("retrying: throttled, HTTP 429 APIG.0308 (attempt 4, next in 8.0s)")
    expect(line(new KpsError.KpsApiError({ status: 503, errorCode: "", errorMessage: "<html>" })))
      .toBe("retrying: HTTP 503 (attempt 4, next in 8.0s)")
    expect(line(new KpsError.KpsApiError({ status: 502, errorCode: "\u001b[2J" + "X".repeat(500), errorMessage: "" })))
      .toBe(`retrying: HTTP 502 ?[2J${"X".repeat(36)} (attempt 4, next in 8.0s)`)
  })

  it("adds the retry under way to the live line", () => {
    const error = new KpsError.KpsApiError({ status: 503, errorCode: "KPS.0003", errorMessage: "busy" })
    const line = Render.liveLine({
      taskId: "t-1",
      task: new KeypairTask.KeypairTask({ taskId: "t-1", taskStatus: "RUNNING_RESET", serverId: "s-1" }),
      elapsedMillis: 12_000,
      attempts: 4,
      retrying: { retry: retry(error), nextInMillis: 2_500 },
      frame: 0,
      done: false,
      color: false
    })
    expect(line).toContain("RUNNING_RESET · 12.0s · 4 requests · retrying: HTTP 503 KPS.0003 (attempt 4, next in 2.5s)")
  })
})

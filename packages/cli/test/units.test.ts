import { ExitCode } from "@effect-kps/cli"
import { KeypairTask, KpsError, TaskList } from "@effect-kps/core"
import { TaskWaiter } from "@effect-kps/polling"
import * as ValidationError from "@effect/cli/ValidationError"
import { describe, expect, it } from "@effect/vitest"
import { ConfigError, DateTime, Duration, Either, Option } from "effect"
import * as DurationText from "../src/internal/duration.js"
import * as Listing from "../src/internal/listing.js"
import * as ProjectId from "../src/internal/projectId.js"
import * as Render from "../src/internal/render.js"
import * as Report from "../src/internal/report.js"

const task = (status: string) => new KeypairTask.KeypairTask({ taskId: "t-1", taskStatus: status, serverId: "s-1" })

describe("durations", () => {
  it("reads what users type", () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["300ms", 300],
      ["5s", 5_000],
      ["1.5s", 1_500],
      ["2m", 120_000],
      ["1h", 3_600_000],
      ["10 seconds", 10_000],
      ["7", 7_000]
    ]
    for (const [text, millis] of cases) {
      expect(Either.map(DurationText.parse(text), Duration.toMillis)).toEqual(Either.right(millis))
    }
    for (const text of ["", "soon", "5x", "-1s", "1e3s"]) expect(Either.isLeft(DurationText.parse(text))).toBe(true)
  })

  it("refuses zero, unless zero means something", () => {
    for (const text of ["0", "0ms", "0.0s", "0 seconds"]) {
      expect(DurationText.parse(text)).toEqual(
        Either.left(`"${text}" is zero: give a duration longer than zero, such as 300ms, 5s or 2m`)
      )
      expect(Either.map(DurationText.parse(text, { allowZero: true }), Duration.toMillis)).toEqual(Either.right(0))
    }
  })

  it("formats them short", () => {
    expect(DurationText.format(850)).toBe("850ms")
    expect(DurationText.format(3_240)).toBe("3.2s")
    expect(DurationText.format(125_000)).toBe("2m05s")
  })
})

describe("project ids", () => {
  it("are 32 hex characters", () => {
    for (const id of ["0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF"]) {
      expect(ProjectId.check(id)).toEqual(Either.right(id))
    }
    for (
      const id of ["", "xyz", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg", " ".repeat(32)]
    ) {
      expect(ProjectId.check(id)).toEqual(Either.left(
        `${
          JSON.stringify(id)
        } is not a project id: write its 32 hex characters, such as 0123456789abcdef0123456789abcdef`
      ))
    }
    // A long value is quoted in part.
    const problem = Either.getLeft(ProjectId.check("x".repeat(1000))).pipe(Option.getOrThrow)
    expect(problem).toContain(`"${"x".repeat(64)}…" is not a project id`)
    expect(problem).not.toContain("x".repeat(65))
  })
})

describe("exit codes", () => {
  it("follows the documented table", () => {
    expect(ExitCode.fromError(new TaskWaiter.TaskFailed({ task: task("FAILED_RESET") }))).toBe(1)
    expect(ExitCode.fromError(new TaskWaiter.WaitTimeout({ taskId: "t-1", attempts: 3, elapsed: Duration.seconds(1) })))
      .toBe(2)
    expect(ExitCode.fromError(new KpsError.KpsInvalidInput({ field: "taskId", description: "empty" }))).toBe(3)
    expect(ExitCode.fromError(ConfigError.MissingData(["HUAWEICLOUD_SDK_AK"], "missing"))).toBe(3)
    expect(ExitCode.fromError(ValidationError.missingValue(undefined as never))).toBe(3)
    expect(ExitCode.fromError(new KpsError.KpsApiError({ status: 401, errorCode: "APIG.0301", errorMessage: "" })))
      .toBe(4)
    expect(ExitCode.fromError(new KpsError.KpsTransportError({ reason: "ConnectionRefused", description: "" }))).toBe(4)
    expect(ExitCode.fromError(new Error("boom"))).toBe(4)
  })

  it("ranks several outcomes: usage 3 > API error 4 > timeout 2 > failed 1 > success 0", () => {
    expect(ExitCode.worst([])).toBe(0)
    expect(ExitCode.worst([0, 0])).toBe(0)
    expect(ExitCode.worst([0, 1, 0])).toBe(1)
    expect(ExitCode.worst([1, 2, 1])).toBe(2)
    expect(ExitCode.worst([2, 4, 1])).toBe(4)
    expect(ExitCode.worst([4, 3, 2])).toBe(3)
    // Whatever the order they come in.
    expect(ExitCode.worst([4, 0, 2])).toBe(ExitCode.worst([2, 0, 4]))
  })
})

describe("rendering", () => {
  it("keeps control characters from the server off the terminal", () => {
    expect(Render.safe("RUNNING\u001b[2J_RESET\n")).toBe("RUNNING?[2J_RESET?")
    expect(Render.progressLine({ task: task("\u001b]0;pwned\u0007"), elapsedMillis: 10, attempts: 1 }))
      .not.toMatch(/[\u0000-\u001f]/)
  })

  it("reports an error as one line", () => {
    const error = new KpsError.KpsApiError({
      status: 400,
      errorCode: "KPS.XXX",
      errorMessage: "line one\nline two",
      requestId: "req-1"
    })
    expect(Report.describe(error)).toBe("KPS answered HTTP 400 KPS.XXX: line one line two (request id req-1)")
    expect(Report.describe(ConfigError.And(ConfigError.MissingData([], "a"), ConfigError.MissingData([], "b"))))
      .toBe("configuration: a; b")
  })

  it("draws the live line in place", () => {
    const line = Render.liveLine({
      taskId: "t-1",
      task: task("RUNNING_RESET"),
      elapsedMillis: 1_200,
      attempts: 3,
      frame: 0,
      done: false,
      color: false
    })
    expect(line.startsWith("\r\u001b[2K")).toBe(true)
    expect(line).toContain("RUNNING_RESET · 1.2s · 3 requests")
  })

  it("draws one live row per task, going back up to the first after the first drawing", () => {
    const live = (taskId: string, status: string, done: boolean): Render.Live => ({
      taskId,
      task: new KeypairTask.KeypairTask({ taskId, taskStatus: status }),
      elapsedMillis: 2_000,
      attempts: 2,
      frame: 0,
      done,
      color: false
    })
    const rows = [live("t-1", "SUCCESS_RESET", true), live("t-2", "RUNNING_RESET", false), {
      ...live("t-3", "READY_RESET", true),
      note: "timed out"
    }]
    const first = Render.liveRows(rows, true)
    expect(first.split("\n")).toEqual([
      "\r\u001b[2K✔ t-1 SUCCESS_RESET · 2.0s · 2 requests",
      "\r\u001b[2K⠋ t-2 RUNNING_RESET · 2.0s · 2 requests",
      "\r\u001b[2K✖ t-3 READY_RESET · 2.0s · 2 requests · timed out"
    ])
    expect(Render.liveRows(rows, false)).toBe(`\u001b[2A${first}`)
    // One row is redrawn where it is, as the single live line always was.
    expect(Render.liveRows(rows.slice(0, 1), false)).toBe(Render.liveLine(rows[0]))
  })

  it("prints task lists as aligned tables, server text made safe", () => {
    const running = [
      new TaskList.RunningTask({
        taskId: "t-1",
        operateType: "RESET",
        taskTime: DateTime.unsafeMake(Date.UTC(2024, 0, 2, 3, 4, 5)),
        serverName: "web\u001b[2J",
        serverId: "s-1",
        keypairName: "kp"
      }),
      new TaskList.RunningTask({ taskId: "task-22" })
    ]
    expect(Listing.table(Listing.running, running).split("\n")).toEqual([
      "TASK ID  OPERATION  TIME                  SERVER NAME  SERVER ID  KEY PAIR",
      "t-1      RESET      2024-01-02T03:04:05Z  web?[2J      s-1        kp",
      "task-22  -          -                     -            -          -"
    ])
    expect(Listing.table(Listing.failed, [])).toBe("no failed tasks")
    const failed = new TaskList.FailedTask({ taskId: "t-1", taskErrorCode: "KPS.1", taskErrorMsg: "no\nroute" })
    expect(Listing.table(Listing.failed, [failed]).split("\n")[1]).toMatch(/ KPS\.1: no\?route$/)
    expect(Listing.failed.json(failed)).toEqual({
      task_id: "t-1",
      operate_type: null,
      task_time: null,
      server_name: null,
      server_id: null,
      keypair_name: null,
      operation: "unknown",
      task_error_code: "KPS.1",
      task_error_msg: "no\nroute"
    })
  })
})

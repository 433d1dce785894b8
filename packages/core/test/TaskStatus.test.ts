import { TaskStatus } from "@effect-kps/core"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck, Schema } from "effect"

describe("TaskStatus", () => {
  it("classifies every known status by its prefix", () => {
    const expected: Record<string, TaskStatus.Phase> = {
      READY_RESET: "pending",
      RUNNING_RESET: "pending",
      FAILED_RESET: "failed",
      SUCCESS_RESET: "succeeded",
      READY_REPLACE: "pending",
      RUNNING_REPLACE: "pending",
      FAILED_REPLACE: "failed",
      SUCCESS_REPLACE: "succeeded",
      READY_UNBIND: "pending",
      RUNNING_UNBIND: "pending",
      FAILED_UNBIND: "failed",
      SUCCESS_UNBIND: "succeeded",
      FAILED_BIND: "failed",
      SUCCESS_BIND: "succeeded"
    }
    expect(Object.keys(expected).sort()).toEqual([...TaskStatus.known].sort())
    for (const [status, phase] of Object.entries(expected)) {
      expect(TaskStatus.phase(status), status).toBe(phase)
    }
  })

  it("calls a missing status or an unknown prefix unknown", () => {
    expect(TaskStatus.phase(undefined)).toBe("unknown")
    expect(TaskStatus.phase("")).toBe("unknown")
    expect(TaskStatus.phase("PAUSED_RESET")).toBe("unknown")
    expect(TaskStatus.phase("running_reset")).toBe("unknown")
    expect(TaskStatus.phase("SUCCESS")).toBe("unknown")
  })

  it.prop("classifies any suffix by its prefix alone", [FastCheck.string()], ([suffix]) => {
    expect(TaskStatus.phase(`READY_${suffix}`)).toBe("pending")
    expect(TaskStatus.phase(`RUNNING_${suffix}`)).toBe("pending")
    expect(TaskStatus.phase(`SUCCESS_${suffix}`)).toBe("succeeded")
    expect(TaskStatus.phase(`FAILED_${suffix}`)).toBe("failed")
  })

  it("reads the operation from the suffix", () => {
    expect(TaskStatus.operation("RUNNING_RESET")).toBe("reset")
    expect(TaskStatus.operation("SUCCESS_REPLACE")).toBe("replace")
    expect(TaskStatus.operation("FAILED_UNBIND")).toBe("unbind")
    expect(TaskStatus.operation("SUCCESS_BIND")).toBe("bind")
    expect(TaskStatus.operation("RUNNING_REBOOT")).toBe("unknown")
    expect(TaskStatus.operation("RESET")).toBe("unknown")
    expect(TaskStatus.operation(undefined)).toBe("unknown")
  })

  it("tells known and terminal statuses", () => {
    expect(TaskStatus.isKnown("RUNNING_UNBIND")).toBe(true)
    expect(TaskStatus.isKnown("RUNNING_NEW")).toBe(false)
    expect(TaskStatus.isTerminal("FAILED_RESET")).toBe(true)
    expect(TaskStatus.isTerminal("SUCCESS_X")).toBe(true)
    expect(TaskStatus.isTerminal("READY_RESET")).toBe(false)
    expect(TaskStatus.isTerminal(undefined)).toBe(false)
  })

  it("decodes unknown strings as they are and rejects non-strings", () => {
    const decode = Schema.decodeUnknownSync(TaskStatus.TaskStatus)
    expect(decode("RUNNING_RESET")).toBe("RUNNING_RESET")
    expect(decode("SOMETHING_NEW")).toBe("SOMETHING_NEW")
    expect(() => decode(42)).toThrow()
  })
})

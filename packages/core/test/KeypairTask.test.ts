import { KeypairTask } from "@effect-kps/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"

const decode = Schema.decodeUnknownSync(KeypairTask.KeypairTask)

describe("KeypairTask", () => {
  it("decodes the documented example", () => {
    const task = decode({
      task_id: "aee8d2fe-5484-4753-9177-5a38dc15546c",
      task_status: "RUNNING_RESET",
      server_id: "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006"
    })
    expect(task).toBeInstanceOf(KeypairTask.KeypairTask)
    expect(task.taskId).toBe("aee8d2fe-5484-4753-9177-5a38dc15546c")
    expect(task.taskStatus).toBe("RUNNING_RESET")
    expect(task.serverId).toBe("c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006")
    expect(task.phase).toBe("pending")
    expect(task.operation).toBe("reset")
    expect(task.isTerminal).toBe(false)
  })

  it("ignores extra fields", () => {
    const task = decode({ task_id: "t", task_status: "SUCCESS_BIND", keypair_name: "k", nested: { a: 1 } })
    expect(task.taskStatus).toBe("SUCCESS_BIND")
    expect(Object.keys(task)).not.toContain("keypair_name")
  })

  it("keeps unknown statuses and reads missing or null ones as absent", () => {
    expect(decode({ task_id: "t", task_status: "PAUSED_RESET" }).taskStatus).toBe("PAUSED_RESET")
    expect(decode({ task_id: "t" }).taskStatus).toBeUndefined()
    expect(decode({ task_id: "t", task_status: null, server_id: null }).serverId).toBeUndefined()
    expect(decode({ task_id: "t" }).phase).toBe("unknown")
  })

  it("encodes back to the wire names", () => {
    const task = decode({ task_id: "t", task_status: "READY_UNBIND", server_id: "s" })
    expect(Schema.encodeSync(KeypairTask.KeypairTask)(task)).toEqual({
      task_id: "t",
      task_status: "READY_UNBIND",
      server_id: "s"
    })
  })

  it.effect("stands the requested id in for a missing task_id", () =>
    Effect.gen(function*() {
      const decodeFor = KeypairTask.decodeResponse("asked-for")
      expect((yield* decodeFor({ task_status: "SUCCESS_RESET" })).taskId).toBe("asked-for")
      expect((yield* decodeFor({ task_id: null })).taskId).toBe("asked-for")
      expect((yield* decodeFor({ task_id: "from-body" })).taskId).toBe("from-body")
    }))

  it.effect("rejects bodies that are not tasks", () =>
    Effect.gen(function*() {
      const decodeFor = KeypairTask.decodeResponse("t")
      for (const body of [null, [], "RUNNING_RESET", { task_id: 7 }, { task_status: 1 }]) {
        const result = yield* Effect.either(decodeFor(body))
        expect(Either.isLeft(result), JSON.stringify(body)).toBe(true)
      }
    }))
})

import { KpsClient } from "@effect-kps/core"
import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"

describe("KpsTesting.raw scripts every status a server can send", () => {
  const statuses = Array.from({ length: 500 }, (_, index) => 100 + index)

  it.effect("each of 100-599 ends as a task or a typed error, never a defect", () =>
    Effect.gen(function*() {
      const outcomes = new Map<number, string>()
      for (const status of statuses) {
        const exit = yield* Effect.exit(KpsClient.getTask(`task-${status}`))
        if (Exit.isFailure(exit)) expect(Cause.isFailType(exit.cause)).toBe(true)
        outcomes.set(
          status,
          Exit.match(exit, {
            onFailure: (cause) => (Cause.squash(cause) as { readonly _tag: string })._tag,
            onSuccess: () => "ok"
          })
        )
      }
      expect(outcomes.get(100)).toBe("KpsApiError")
      expect(outcomes.get(103)).toBe("KpsApiError")
      expect(outcomes.get(200)).toBe("ok")
      // No content, whatever the body: an empty 2xx body is not a task.
      expect(outcomes.get(204)).toBe("KpsDecodeError")
      expect(outcomes.get(205)).toBe("KpsDecodeError")
      expect(outcomes.get(304)).toBe("KpsApiError")
      expect(outcomes.get(407)).toBe("KpsTransportError")
      expect(outcomes.get(599)).toBe("KpsApiError")
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: Object.fromEntries(
        statuses.map((status) => [`task-${status}`, [KpsTesting.raw(status, `{"task_status":"SUCCESS_RESET"}`)]])
      )
    }))))
})

import { KpsEmulator } from "@effect-kps/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"

describe("KpsEmulator.make", () => {
  it.effect("rejects invalid options with EmulatorError InvalidOptions, naming no secret", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<KpsEmulator.Options> = [
        { port: 70_000 },
        { port: 1.5 },
        { faults: { throttle: 2 } },
        { faults: { rateLimit: { requests: 1, per: "0 seconds" } } },
        { taskDuration: "forever" as never },
        { maxBodyBytes: 0 },
        { tokens: [""] },
        { accessKeys: { "AK,1": "secret-never-shown" } },
        { projectId: "nope" }
      ]
      for (const options of cases) {
        const error = yield* Effect.flip(Effect.scoped(KpsEmulator.make(options)))
        expect(error).toMatchObject({ _tag: "EmulatorError", reason: "InvalidOptions" })
        expect(error.message).not.toContain("secret-never-shown")
      }
    }))

  it.scoped("listens on 127.0.0.1; a port in use fails with Listen", () =>
    Effect.gen(function*() {
      const first = yield* KpsEmulator.make()
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const error = yield* Effect.flip(Effect.scoped(KpsEmulator.make({ port: first.port })))
      expect(error).toMatchObject({ _tag: "EmulatorError", reason: "Listen" })
    }))

  it.effect("stops listening, keep-alive connections closed, when its scope closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { url } = yield* Scope.extend(KpsEmulator.make(), scope)
      const before = yield* Effect.promise(() => fetch(`${url}/`).then((response) => response.status))
      expect(before).toBe(404)
      yield* Scope.close(scope, Exit.void)
      const after = yield* Effect.promise(() => fetch(`${url}/`).then(() => "answered", () => "refused"))
      expect(after).toBe("refused")
    }))
})

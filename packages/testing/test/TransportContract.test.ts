import { KpsTesting, TransportContract } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

describe("the transport contract, on the KpsTesting stub", () => {
  for (const contractCase of TransportContract.cases) {
    it.effect(contractCase.name, () =>
      Effect.gen(function*() {
        expect(yield* TransportContract.run(contractCase)).toMatchObject(contractCase.expected)
        // Sent once: the stub answered the case's own route.
        expect(yield* KpsTesting.requests).toHaveLength(1)
      }).pipe(Effect.provide(KpsTesting.layerClient({
        // The case's answer on the route its call reaches, whatever the call.
        routes: {
          [contractCase.call._tag]: [
            KpsTesting.raw(contractCase.answer.status, contractCase.answer.body, {
              headers: contractCase.answer.headers
            })
          ]
        }
      }))))
  }

  it("has the cases of every call, with unique names", () => {
    const names = TransportContract.cases.map((contractCase) => contractCase.name)
    expect(new Set(names).size).toBe(names.length)
    expect(new Set(TransportContract.cases.map((contractCase) => contractCase.call._tag))).toEqual(
      new Set([
        "getTask",
        "associateKeypair",
        "disassociateKeypair",
        "batchAssociateKeypairs",
        "listRunningTasks",
        "listFailedTasks",
        "deleteFailedTask",
        "deleteAllFailedTasks"
      ])
    )
  })
})

import { KpsClient } from "@effect-kps/core"
import { KpsTesting, TransportContract } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

describe("the transport contract, on the KpsTesting stub", () => {
  for (const contractCase of TransportContract.cases) {
    it.effect(contractCase.name, () =>
      Effect.gen(function*() {
        const result = yield* Effect.either(KpsClient.getTask(contractCase.taskId))
        expect(TransportContract.outcome(result)).toMatchObject(contractCase.expected)
      }).pipe(Effect.provide(KpsTesting.layerClient({
        tasks: {
          [contractCase.taskId]: [
            KpsTesting.raw(contractCase.answer.status, contractCase.answer.body, {
              headers: contractCase.answer.headers
            })
          ]
        }
      }))))
  }
})

import { KpsClient } from "@effect-kps/core"
import { KpsTesting, TransportContract } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"

describe("the transport contract, on the KpsTesting stub", () => {
  for (const contractCase of TransportContract.cases) {
    it.effect(contractCase.name, () =>
      Effect.gen(function*() {
        const result = yield* Effect.either(KpsClient.getTask(contractCase.taskId))
        if (contractCase.expected._tag === "Success") {
          expect(Either.getOrThrow(result)).toMatchObject(contractCase.expected.task)
        } else {
          expect(Either.flip(result).pipe(Either.getOrThrow)).toMatchObject(contractCase.expected.error)
        }
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

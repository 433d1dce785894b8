import { Signer } from "@effect-kps/core"
import { Gateway, KpsTesting } from "@effect-kps/testing"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Redacted } from "effect"
import { emulator, projectId } from "./fixtures/helpers.js"

const token = "shared-token"
const accessKeyId = "SHAREDACCESSKEY00001"
const secret = "shared-secret-key-000000000000000000001"
const unknownTaskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"

interface Case {
  readonly name: string
  readonly method: "GET" | "POST"
  readonly path: string
  readonly credentials: "token" | "wrong token" | "none" | "signature" | "wrong secret" | "stale signature"
}

const taskPath = `/v3/${projectId}/tasks/${unknownTaskId}`

const cases: ReadonlyArray<Case> = [
  { name: "an unknown task", method: "GET", path: taskPath, credentials: "token" },
  { name: "an unknown task, signed", method: "GET", path: taskPath, credentials: "signature" },
  { name: "an unknown route", method: "GET", path: `/v3/${projectId}/nowhere`, credentials: "token" },
  { name: "a task path with another method", method: "POST", path: taskPath, credentials: "token" },
  { name: "an unknown route, unauthenticated", method: "GET", path: "/v2/nowhere", credentials: "none" },
  { name: "a wrong token", method: "GET", path: taskPath, credentials: "wrong token" },
  { name: "no credentials", method: "GET", path: taskPath, credentials: "none" },
  { name: "a wrong secret key", method: "GET", path: taskPath, credentials: "wrong secret" },
  { name: "a signature 16 minutes old", method: "GET", path: taskPath, credentials: "stale signature" }
]

/** Sends a case to `base` through the `HttpClient` in context: what came back, as the wire has it. */
const answerOf = (base: string, testCase: Case) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    let request = HttpClientRequest.make(testCase.method)(`${base}${testCase.path}`)
    switch (testCase.credentials) {
      case "token":
      case "wrong token":
        request = HttpClientRequest.setHeader(request, "x-auth-token", testCase.credentials === "token" ? token : "x")
        break
      case "signature":
      case "wrong secret":
      case "stale signature": {
        const now = yield* Clock.currentTimeMillis
        const signature = yield* Signer.sign(
          {
            method: testCase.method,
            url: new URL(`${base}${testCase.path}`),
            headers: {
              "X-Sdk-Date": Signer.formatDate(testCase.credentials === "stale signature" ? now - 960_000 : now)
            }
          },
          {
            accessKeyId,
            secretAccessKey: Redacted.make(testCase.credentials === "wrong secret" ? `${secret}x` : secret)
          }
        )
        request = HttpClientRequest.setHeaders(request, signature.headers)
        break
      }
      case "none":
        break
    }
    const response = yield* client.execute(request)
    const body = (yield* response.json) as { readonly error_code: string; readonly error_msg: string }
    return {
      status: response.status,
      code: body.error_code,
      message: body.error_msg,
      allow: response.headers["allow"]
    }
  })

describe("the stub and the emulator, one gateway", () => {
  it.scoped("answer every gateway case alike: unknown tasks and routes, tokens, signatures", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ tokens: [token], accessKeys: { [accessKeyId]: secret } })
      const stub = KpsTesting.layer({ credentials: { tokens: [token], accessKeys: { [accessKeyId]: secret } } })
      for (const testCase of cases) {
        const fromEmulator = yield* answerOf(url, testCase).pipe(Effect.provide(FetchHttpClient.layer))
        const fromStub = yield* answerOf(KpsTesting.endpoint, testCase).pipe(Effect.provide(stub))
        expect([testCase.name, fromStub]).toEqual([testCase.name, fromEmulator])
      }
    }))

  it.scoped("an unknown task is 404 KPS.0001 in both, the Gateway module's answer", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ tokens: [token] })
      const expected = Gateway.unknownTask(unknownTaskId)
      const answer = yield* answerOf(url, cases[0]).pipe(Effect.provide(FetchHttpClient.layer))
      expect(answer).toMatchObject({
        status: expected.status,
        code: expected.errorCode,
        message: expected.errorMessage
      })
      expect(answer).toMatchObject({ status: 404, code: "KPS.0001" })
    }))
})

/**
 * What the client assumes of @effect/platform beyond its public interface, pinned: when an upgrade
 * changes one of these, this fails, loudly, instead of requests being signed at the wrong step.
 */
import { Credentials, KpsClient, Signer } from "@effect-kps/core"
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as Sending from "../src/internal/sending.js"

const answer = (request: HttpClientRequest.HttpClientRequest) =>
  HttpClientResponse.fromWeb(request, new Response(JSON.stringify({ seen: request.headers }), { status: 200 }))

describe("@effect/platform's HttpClient internals the client relies on", () => {
  const base = HttpClient.make((request) => Effect.succeed(answer(request)))
  const clients: ReadonlyArray<readonly [string, HttpClient.HttpClient]> = [
    ["HttpClient.make", base],
    [
      "HttpClient.makeWith",
      HttpClient.makeWith<never, never, never, never>((request) => Effect.map(request, answer), Effect.succeed)
    ],
    ["HttpClient.mapRequest", HttpClient.mapRequest(base, HttpClientRequest.setHeader("x-mapped", "yes"))],
    ["HttpClient.filterStatusOk", HttpClient.filterStatusOk(base)]
  ]

  for (const [name, client] of clients) {
    it.effect(`${name} exposes preprocess and postprocess, and execute is postprocess ∘ preprocess`, () =>
      Effect.gen(function*() {
        expect(Sending.hasProcessing(client)).toBe(true)
        if (!Sending.hasProcessing(client)) return
        const request = HttpClientRequest.get("https://example.com/")
        const executed = yield* Effect.flatMap(client.execute(request), (response) => response.json)
        const composed = yield* Effect.flatMap(
          client.postprocess(client.preprocess(request)),
          (response) => response.json
        )
        expect(composed).toEqual(executed)
        // (No trace headers, which differ from one request to the next.)
      }).pipe(Effect.withTracerEnabled(false)))
  }

  it.effect("so a signature covers a mapping of the base client's own", () =>
    Effect.gen(function*() {
      const secret = "pinnedSecretKey000000000000000000000001"
      const verdicts: Array<string> = []
      const verifying = HttpClient.make((request, url) =>
        Signer.verify({ method: request.method, url, headers: request.headers }, () => Redacted.make(secret)).pipe(
          Effect.match({ onFailure: (error) => error.reason as string, onSuccess: () => "verified" }),
          Effect.map((verdict) => {
            verdicts.push(verdict)
            return HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 }))
          })
        )
      )
      // The base client sets a signed header (Content-Type) after the client's own.
      const baseWithMapping = HttpClient.mapRequest(
        verifying,
        HttpClientRequest.setHeader("Content-Type", "application/json;charset=UTF-8")
      )
      yield* Effect.either(
        KpsClient.getTask("aee8d2fe-5484-4753-9177-5a38dc15546c").pipe(
          Effect.provide(
            KpsClient.layer({
              endpoint: "https://kms.cn-north-4.myhuaweicloud.com",
              projectId: "0123456789abcdef0123456789abcdef",
              credentials: Credentials.accessKey({ accessKeyId: "HPUAEXAMPLEAK0000001", secretAccessKey: secret })
            }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, baseWithMapping)))
          )
        )
      )
      expect(verdicts).toEqual(["verified"])
    }))
})

import { Signer } from "@effect-kps/core"
import { KpsEmulator } from "@effect-kps/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Redacted } from "effect"
import { associate, emulator, projectId } from "./fixtures/helpers.js"
import { exchange, head } from "./fixtures/socket.js"

const associatePath = `/v3/${projectId}/keypairs/associate`
const mebibyte = 1024 * 1024

/** The headers of an associate signed now (on the emulator's clock) by the default key, or with `sk`. */
const signedHeaders = (
  port: number,
  options: { readonly sk?: string; readonly date?: number; readonly body?: string } = {}
) =>
  Effect.gen(function*() {
    const headers = {
      "Content-Type": "application/json",
      Host: `127.0.0.1:${port}`,
      "X-Sdk-Date": Signer.formatDate(options.date ?? (yield* Clock.currentTimeMillis))
    }
    const signature = yield* Signer.sign(
      { method: "POST", url: new URL(`http://127.0.0.1:${port}${associatePath}`), headers, body: options.body },
      {
        accessKeyId: KpsEmulator.defaultAccessKey,
        secretAccessKey: Redacted.make(options.sk ?? KpsEmulator.defaultSecretKey)
      }
    )
    return { ...headers, ...signature.headers }
  })

/** The 503 of a full budget, if that is what came. */
const parseRefusal = (answer: { readonly status: number; readonly headers: Headers; readonly json: unknown }) =>
  answer.status === 503 ?
    {
      status: answer.status,
      code: (answer.json as { readonly error_code: string }).error_code,
      retryAfter: answer.headers.get("retry-after")
    } :
    undefined

describe("bodies are read only after the headers pass the gateway", () => {
  it.scoped("a request refused from its headers is answered before its body is sent", () =>
    Effect.gen(function*() {
      const { port } = yield* emulator()
      const stale = yield* signedHeaders(port, { date: (yield* Clock.currentTimeMillis) - 16 * 60_000 })
      const cases: ReadonlyArray<readonly [string, Record<string, string>, number]> = [
        ["no credentials", {}, 401],
        ["a wrong token", { "X-Auth-Token": "wrong" }, 401],
        ["a malformed Authorization", { Authorization: "Basic dXNlcjpwYXNz" }, 401],
        ["a stale signature", stale, 401],
        ["a body declared too large", { "X-Auth-Token": KpsEmulator.defaultToken }, 413]
      ]
      for (const [name, headers, status] of cases) {
        // It declares a body and sends none of it: only an answer from the headers arrives.
        const length = status === 413 ? KpsEmulator.defaultMaxBodyBytes + 1 : mebibyte
        const seen = yield* exchange(port, ({ socket }) =>
          socket.write(head(`POST ${associatePath} HTTP/1.1`, {
            Host: "127.0.0.1",
            "Content-Length": length,
            ...headers
          })), { untilAnswer: true })
        expect([name, seen.answer?.status]).toEqual([name, status])
        expect(JSON.parse(seen.answer?.body ?? "{}").error_code).toBe(status === 401 ? "APIG.0301" : "APIG.0201")
      }
    }))

  it.scoped("a signed request is verified over its body, read within the limit", () =>
    Effect.gen(function*() {
      const { port, store } = yield* emulator()
      const body = JSON.stringify({ keypair_name: "kp", server: { id: "s-1" } })
      const send = (headers: Record<string, string>) =>
        exchange(port, ({ socket }) =>
          socket.write(
            head(`POST ${associatePath} HTTP/1.1`, { ...headers, "Content-Length": body.length, Connection: "close" }) +
              body
          ))
      const wrong = yield* send(yield* signedHeaders(port, { sk: "not-the-secret", body }))
      expect(wrong.answer?.status).toBe(401)
      expect(wrong.answer?.body).toContain("SignatureMismatch")
      const otherBody = yield* send(yield* signedHeaders(port, { body: body.replace("s-1", "s-2") }))
      expect(otherBody.answer?.body).toContain("SignatureMismatch")
      expect((yield* send(yield* signedHeaders(port, { body }))).answer?.status).toBe(202)
      expect(yield* store.list()).toHaveLength(1)
    }))
})

describe("the bodies held in memory at once are bounded", () => {
  for (const chunked of [false, true]) {
    it.scoped(
      `a body that does not fit maxBufferedBytes now gets 503 at once (holders ${
        chunked ? "chunked" : "with their length"
      }); it fits once they end`,
      () =>
        Effect.gen(function*() {
          const { port, url } = yield* emulator({ maxBodyBytes: 1024, maxBufferedBytes: 2048 })
          // Two requests each hold 1024 bytes of the budget (a chunked one, maxBodyBytes) while
          // their bodies trickle in.
          const holders = yield* Effect.forEach([1, 2], () =>
            Effect.fork(exchange(port, ({ socket }) =>
              socket.write(
                head(`POST ${associatePath} HTTP/1.1`, {
                  Host: "127.0.0.1",
                  "X-Auth-Token": KpsEmulator.defaultToken,
                  ...(chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": 1024 }),
                  Connection: "close"
                }) + (chunked ? "1\r\n{\r\n" : "{")
              ))))
          // Until the server has taken both in (bounded), a small body still fits; then it does not.
          let refused: ReturnType<typeof parseRefusal> = undefined
          for (let attempt = 0; attempt < 200 && refused === undefined; attempt++) {
            refused = parseRefusal(yield* associate(url, "s-small"))
          }
          expect(refused).toMatchObject({ status: 503, code: "APIG.0201", retryAfter: "1" })
          // Once the holders are gone, the budget is free again.
          yield* Fiber.interruptAll(holders)
          let accepted = 0
          for (let attempt = 0; attempt < 200 && accepted !== 202; attempt++) {
            accepted = (yield* associate(url, "s")).status
          }
          expect(accepted).toBe(202)
        })
    )
  }
})

describe("an answer reaches a client still sending its body", () => {
  const tenMegabytes = 10 * 1000 * 1000
  for (const chunked of [false, true]) {
    for (
      const [name, headers, status, options] of [
        ["an oversized body", { "X-Auth-Token": KpsEmulator.defaultToken }, 413, {}],
        ["an unauthenticated body", {}, 401, { maxBodyBytes: 16 * mebibyte }]
      ] as const
    ) {
      it.scoped(`${name} of 10 MB, ${chunked ? "chunked" : "with its length"}, gets its ${status}, not EPIPE`, () =>
        Effect.gen(function*() {
          const { port, url } = yield* emulator(options)
          const seen = yield* exchange(port, ({ socket, stream }) => {
            socket.write(head(`POST ${associatePath} HTTP/1.1`, {
              Host: "127.0.0.1",
              ...headers,
              // The client asks for the connection to close: the server must not close it under it.
              Connection: "close",
              ...(chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": tenMegabytes })
            }))
            stream(tenMegabytes, { chunked })
          })
          expect({ status: seen.answer?.status, error: seen.error }).toEqual({ status, error: undefined })
          expect(seen.answer?.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/)
          // Nothing of it was kept, and the server serves on.
          expect((yield* associate(url, "s")).status).toBe(202)
        }))
    }
  }

  it.scoped("a client that waits for 100 Continue gets its 413 all the same", () =>
    Effect.gen(function*() {
      const { port } = yield* emulator({ maxBodyBytes: 1024 })
      const seen = yield* exchange(port, ({ socket, stream }) => {
        socket.write(head(`POST ${associatePath} HTTP/1.1`, {
          Host: "127.0.0.1",
          "X-Auth-Token": KpsEmulator.defaultToken,
          Expect: "100-continue",
          "Content-Length": mebibyte,
          Connection: "close"
        }))
        socket.once("data", () => stream(mebibyte))
      })
      expect([seen.answer?.status, seen.error]).toEqual([413, undefined])
    }))
})

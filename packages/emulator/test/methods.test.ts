import { KpsEmulator } from "@effect-kps/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { associate, emulator, projectId, send, tokenHeaders } from "./fixtures/helpers.js"
import { exchange, head } from "./fixtures/socket.js"

const requestIdPattern = /^[0-9a-f]{32}$/

describe("methods the routes do not name", () => {
  it.scoped("CONNECT gets the gateway's 404 APIG.0101, and its connection is closed", () =>
    Effect.gen(function*() {
      const { port, url } = yield* emulator()
      for (const target of ["127.0.0.1:443", `127.0.0.1:${port}`]) {
        const seen = yield* exchange(port, ({ socket }) =>
          socket.write(head(`CONNECT ${target} HTTP/1.1`, { Host: target, "X-Auth-Token": KpsEmulator.defaultToken })))
        expect([target, seen.closed, seen.answer?.status]).toEqual([target, true, 404])
        expect(JSON.parse(seen.answer?.body ?? "{}")).toMatchObject({ error_code: "APIG.0101" })
        expect(seen.answer?.headers["x-request-id"]).toMatch(requestIdPattern)
      }
      expect((yield* associate(url, "s")).status).toBe(202)
    }))

  it.scoped("HEAD is answered as GET, without a body", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      const answer = yield* send(`${url}/v3/${projectId}/running-tasks`, { method: "HEAD", headers: tokenHeaders() })
      expect([answer.status, answer.text]).toEqual([200, ""])
      expect(answer.headers.get("x-request-id")).toMatch(requestIdPattern)
      const unauthenticated = yield* send(`${url}/v3/${projectId}/running-tasks`, { method: "HEAD" })
      expect(unauthenticated.status).toBe(401)
    }))

  it.scoped("OPTIONS, PUT, PATCH and TRACE get 404 APIG.0101 with Allow; an unknown method 400; huge headers 431", () =>
    Effect.gen(function*() {
      const { port, url } = yield* emulator()
      for (const method of ["OPTIONS", "PUT", "PATCH"]) {
        const answer = yield* send(`${url}/v3/${projectId}/failed-tasks`, { method, headers: tokenHeaders() })
        expect([method, answer.status, answer.json.error_code]).toEqual([method, 404, "APIG.0101"])
        expect(answer.headers.get("allow")).toBe("GET, DELETE")
      }
      for (
        const [requestLine, status, code] of [
          [`TRACE /v3/${projectId}/running-tasks HTTP/1.1`, 404, "APIG.0101"],
          ["OPTIONS * HTTP/1.1", 404, "APIG.0101"],
          [`BREW /v3/${projectId}/running-tasks HTTP/1.1`, 400, "APIG.0201"],
          [`GET /v3/${projectId}/running-tasks HTTP/1.1\r\nX-Huge: ${"h".repeat(20_000)}`, 431, "APIG.0201"]
        ] as const
      ) {
        const seen = yield* exchange(
          port,
          ({ socket }) => socket.write(head(requestLine, { Host: "127.0.0.1", Connection: "close" }))
        )
        expect([requestLine, seen.answer?.status]).toEqual([requestLine, status])
        expect(JSON.parse(seen.answer?.body ?? "{}").error_code).toBe(code)
      }
    }))

  it.scoped("a request asking for a protocol upgrade is served as an ordinary one, body included", () =>
    Effect.gen(function*() {
      const { port, store } = yield* emulator()
      const body = JSON.stringify({ keypair_name: "kp", server: { id: "s-1" } })
      for (const upgrade of ["websocket", "h2c"]) {
        const seen = yield* exchange(port, ({ socket }) =>
          socket.write(
            head(`POST /v3/${projectId}/keypairs/associate HTTP/1.1`, {
              Host: "127.0.0.1",
              "X-Auth-Token": KpsEmulator.defaultToken,
              Connection: "Upgrade, close",
              Upgrade: upgrade,
              "Content-Length": body.length
            }) + body
          ))
        expect([upgrade, seen.closed, seen.answer?.status]).toEqual([upgrade, true, 202])
      }
      expect(yield* store.list()).toHaveLength(2)
    }))
})

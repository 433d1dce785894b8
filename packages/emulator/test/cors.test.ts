import { KpsEmulator } from "@effect-kps/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { emulator, projectId, send, tokenHeaders, type WireAnswer } from "./fixtures/helpers.js"

const page = "http://localhost:5173"
const requestIdPattern = /^[0-9a-f]{32}$/

const allowHeaders =
  "Content-Type, X-Project-Id, X-Auth-Token, Authorization, X-Sdk-Date, X-Security-Token, X-Sdk-Content-Sha256"

/** One path of every route, and a method it has. */
const routes = [
  ["GET", `/v3/${projectId}/tasks/42c1e6eb-e8be-4df6-a50c-7b485820c561`],
  ["POST", `/v3/${projectId}/keypairs/associate`],
  ["POST", `/v3/${projectId}/keypairs/disassociate`],
  ["POST", `/v3/${projectId}/keypairs/batch-associate`],
  ["GET", `/v3/${projectId}/running-tasks`],
  ["GET", `/v3/${projectId}/failed-tasks`],
  ["DELETE", `/v3/${projectId}/failed-tasks`],
  ["DELETE", `/v3/${projectId}/failed-tasks/42c1e6eb-e8be-4df6-a50c-7b485820c561`],
  ["GET", "/v3/projects"]
] as const

/** A browser's preflight of `method` from `origin`, asking for the headers a token client sends. */
const preflight = (url: string, method: string, origin: string) =>
  send(url, {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": method,
      "Access-Control-Request-Headers": "content-type,x-auth-token,x-project-id"
    }
  })

/** The CORS headers of an answer, by lower-case name. */
const corsHeaders = (answer: WireAnswer): Record<string, string> =>
  Object.fromEntries([...answer.headers].filter(([name]) => name.startsWith("access-control-")))

const exposedTo = (origin: string) => ({
  "access-control-allow-origin": origin,
  "access-control-expose-headers": "X-Request-Id, Retry-After"
})

describe("CORS, with the cors option", () => {
  it.scoped("answers the preflight of every route from an allowed origin: 204, without credentials", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ cors: [page] })
      for (const [method, path] of routes) {
        const answer = yield* preflight(`${url}${path}`, method, page)
        expect([path, answer.status, answer.text]).toEqual([path, 204, ""])
        expect(corsHeaders(answer)).toEqual({
          ...exposedTo(page),
          "access-control-allow-methods": "GET, POST, DELETE",
          "access-control-allow-headers": allowHeaders,
          "access-control-max-age": "600"
        })
        expect(answer.headers.get("vary")).toBe("Origin")
        expect(answer.headers.get("x-request-id")).toMatch(requestIdPattern)
      }
    }))

  it.scoped("every answer to an allowed origin exposes X-Request-Id and Retry-After: successes, errors, 401s", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ cors: ["http://127.0.0.1:4000", page] })
      const tasks = `${url}/v3/${projectId}/tasks`
      const associate = `${url}/v3/${projectId}/keypairs/associate`
      const body = JSON.stringify({ keypair_name: "kp-1", server: { id: "s-1" } })
      const answers: ReadonlyArray<readonly [string, number, WireAnswer]> = [
        ["associate", 202, yield* send(associate, { method: "POST", headers: tokenHeaders({ Origin: page }), body })],
        ["no credentials", 401, yield* send(associate, { method: "POST", headers: { Origin: page }, body })],
        ["wrong token", 401, yield* send(`${tasks}/t-1`, { headers: { Origin: page, "X-Auth-Token": "wrong" } })],
        ["unknown task", 404, yield* send(`${tasks}/t-1`, { headers: tokenHeaders({ Origin: page }) })],
        ["malformed body", 400, yield* send(associate, { method: "POST", headers: tokenHeaders({ Origin: page }) })],
        ["unknown path", 404, yield* send(`${url}/v3/nowhere`, { headers: tokenHeaders({ Origin: page }) })],
        ["preflight of an unknown path", 404, yield* preflight(`${url}/v3/nowhere`, "GET", page)]
      ]
      for (const [what, status, answer] of answers) {
        expect([what, answer.status]).toEqual([what, status])
        expect([what, corsHeaders(answer)]).toEqual([what, exposedTo(page)])
        expect([what, answer.headers.get("vary")]).toEqual([what, "Origin"])
        // The request id the page can now read is the one of the body.
        const requestId = answer.headers.get("x-request-id")
        expect(requestId).toMatch(requestIdPattern)
        if (status >= 400) expect([what, answer.json?.request_id]).toEqual([what, requestId])
      }
    }))

  it.scoped("faults' answers carry the headers too", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ cors: [page], faults: { throttle: 1 } })
      const answer = yield* send(`${url}/v3/${projectId}/running-tasks`, { headers: tokenHeaders({ Origin: page }) })
      expect([answer.status, answer.json.error_code]).toEqual([429, "APIG.0308"])
      expect(corsHeaders(answer)).toEqual(exposedTo(page))
    }))

  it.scoped("another origin, or none, gets no CORS header, and its preflight the gateway's 404", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ cors: [page] })
      const path = `${url}/v3/${projectId}/keypairs/associate`
      for (const origin of ["http://localhost:5174", "https://localhost:5173", "http://evil.test", "null"]) {
        const refused = yield* preflight(path, "POST", origin)
        expect([origin, refused.status, refused.json?.error_code]).toEqual([origin, 404, "APIG.0101"])
        expect([origin, corsHeaders(refused)]).toEqual([origin, {}])
        const answer = yield* send(`${url}/v3/${projectId}/running-tasks`, {
          headers: tokenHeaders({ Origin: origin })
        })
        expect([origin, answer.status, corsHeaders(answer)]).toEqual([origin, 200, {}])
        expect(answer.headers.get("vary")).toBe("Origin")
      }
      const noOrigin = yield* send(`${url}/v3/${projectId}/running-tasks`, { headers: tokenHeaders() })
      expect([noOrigin.status, corsHeaders(noOrigin)]).toEqual([200, {}])
      // OPTIONS that is no preflight (no Access-Control-Request-Method) is an ordinary request.
      const options = yield* send(path, { method: "OPTIONS", headers: { Origin: page } })
      expect([options.status, options.headers.get("allow")]).toEqual([404, "POST"])
      expect(corsHeaders(options)).toEqual(exposedTo(page))
    }))

  it.scoped("\"*\" allows every origin, each answered with its own", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ cors: "*" })
      for (const origin of [page, "https://app.example.com", "null"]) {
        const answer = yield* preflight(`${url}/v3/${projectId}/failed-tasks`, "DELETE", origin)
        expect([origin, answer.status]).toEqual([origin, 204])
        expect(answer.headers.get("access-control-allow-origin")).toBe(origin)
      }
    }))

  it.scoped("origins are read as browsers send them: lower-case host, no default port, no trailing slash", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ cors: ["HTTP://LocalHost:5173/", "https://app.example.com:443"] })
      for (const origin of [page, "https://app.example.com"]) {
        const answer = yield* preflight(`${url}/v3/projects`, "GET", origin)
        expect([origin, answer.status]).toEqual([origin, 204])
      }
    }))

  it.effect("an origin that is not one is an InvalidOptions error saying so", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [KpsEmulator.Options["cors"], string]> = [
        [["localhost:5173"], "must use http or https"],
        [["not a url"], "is not a URL"],
        [["http://localhost:5173/app"], "a scheme, a host and a port only"],
        [["http://user:pw@localhost:5173"], "a scheme, a host and a port only"],
        [["http://localhost:5173?x=1"], "a scheme, a host and a port only"],
        [["*", page], "give it alone"],
        ["any" as never, "a list of origins"],
        [[5173] as never, "must be strings"]
      ]
      for (const [cors, problem] of cases) {
        const error = yield* Effect.flip(Effect.scoped(KpsEmulator.make({ cors })))
        expect(error).toMatchObject({ _tag: "EmulatorError", reason: "InvalidOptions" })
        expect([cors, error.message]).toEqual([cors, expect.stringContaining(problem)])
      }
    }))
})

describe("CORS, without the cors option", () => {
  it.scoped("a preflight gets the gateway's 404, and no answer carries a CORS header", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      for (const [method, path] of routes) {
        const answer = yield* preflight(`${url}${path}`, method, page)
        expect([path, answer.status, answer.json?.error_code]).toEqual([path, 404, "APIG.0101"])
        expect(corsHeaders(answer)).toEqual({})
      }
      const answer = yield* send(`${url}/v3/${projectId}/running-tasks`, { headers: tokenHeaders({ Origin: page }) })
      expect([answer.status, corsHeaders(answer), answer.headers.get("vary")]).toEqual([200, {}, null])
      const refused = yield* send(`${url}/v3/${projectId}/running-tasks`, { headers: { Origin: page } })
      expect([refused.status, corsHeaders(refused)]).toEqual([401, {}])
    }))
})

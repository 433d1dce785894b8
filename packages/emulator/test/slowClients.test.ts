import { KpsEmulator } from "@effect-kps/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import type * as net from "node:net"
import { emulator, get, projectId } from "./fixtures/helpers.js"
import { type Client, exchange, head } from "./fixtures/socket.js"

/**
 * Writes `text` one byte at a time, a byte every `everyMillis`, then one filler byte at a time:
 * a client as slow as it likes, stopped by the server closing on it (or after 10,000 bytes).
 */
const trickle = (socket: net.Socket, text: string, everyMillis: number) => {
  let sent = 0
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable || sent >= 10_000) return clearInterval(timer)
    socket.write(sent < text.length ? text[sent] : "a")
    sent++
  }, everyMillis)
  socket.once("close", () => clearInterval(timer))
}

const taskHead = head(`GET /v3/${projectId}/running-tasks HTTP/1.1`, {
  Host: "127.0.0.1",
  "X-Auth-Token": KpsEmulator.defaultToken
})
const bodyHead = head(`POST /v3/${projectId}/keypairs/associate HTTP/1.1`, {
  Host: "127.0.0.1",
  "X-Auth-Token": KpsEmulator.defaultToken,
  "Content-Length": 1000
})

const shapes: ReadonlyArray<readonly [string, (client: Client) => void]> = [
  ["connects and sends nothing", () => {}],
  ["sends its headers a byte at a time", ({ socket }) => trickle(socket, taskHead, 20)],
  ["sends half its headers, then nothing", ({ socket }) => socket.write(taskHead.slice(0, 40))],
  ["sends its headers, then its body a byte at a time", ({ socket }) => {
    socket.write(bodyHead)
    trickle(socket, "", 20)
  }],
  ["sends its headers and half its body, then nothing", ({ socket }) => socket.write(`${bodyHead}{"keypair_name"`)]
]

describe("slow clients are timed out", () => {
  it.scoped("every slow shape gets 408 APIG.0201 and its connection closed; others are served meanwhile", () =>
    Effect.gen(function*() {
      // Real time, on Node's clock: short, so that the test ends soon.
      const { port, url } = yield* emulator({ headersTimeout: "500 millis", requestTimeout: "1 second" })
      const slow = yield* Effect.forEach(
        shapes.flatMap(([name, drive]) => Array.from({ length: 20 }, () => [name, drive] as const)),
        ([name, drive]) => Effect.fork(Effect.map(exchange(port, drive), (seen) => [name, seen] as const))
      )
      expect((yield* get(`${url}/v3/${projectId}/running-tasks`)).status).toBe(200)
      for (const fiber of slow) {
        const [name, seen] = yield* fiber
        expect([name, seen.closed, seen.answer?.status]).toEqual([name, true, 408])
        expect(JSON.parse(seen.answer?.body ?? "{}")).toMatchObject({ error_code: "APIG.0201" })
        expect(seen.answer?.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/)
      }
    }))

  it.effect("the timeouts are checked options: finite, at least a millisecond, headers within request", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<KpsEmulator.Options> = [
        { headersTimeout: "0 millis" },
        { requestTimeout: "forever" as never },
        { headersTimeout: "2 seconds", requestTimeout: "1 second" },
        { maxBodyBytes: 2048, maxBufferedBytes: 1024 }
      ]
      for (const options of cases) {
        const error = yield* Effect.flip(Effect.scoped(KpsEmulator.make(options)))
        expect(error).toMatchObject({ _tag: "EmulatorError", reason: "InvalidOptions" })
      }
      expect(Duration.toMillis(KpsEmulator.defaultHeadersTimeout)).toBe(10_000)
      expect(Duration.toMillis(KpsEmulator.defaultRequestTimeout)).toBe(30_000)
    }))
})

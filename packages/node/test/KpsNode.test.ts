import { Credentials, KpsClient, KpsError, Signer } from "@effect-kps/core"
import { KpsNode } from "@effect-kps/node"
import { TransportContract } from "@effect-kps/testing"
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  ConfigProvider,
  Context,
  Duration,
  Effect,
  Exit,
  Fiber,
  Inspectable,
  Layer,
  Logger,
  LogLevel,
  Redacted,
  TestClock
} from "effect"
import type { ServerResponse } from "node:http"
import { gzipSync } from "node:zlib"
import { closedPort, json, proxy, serve, until } from "./fixtures/loopback.js"

const projectId = "0123456789abcdef0123456789abcdef"
const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
const token = "node-test-token"
const task = { task_id: taskId, task_status: "RUNNING_RESET", server_id: "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006" }

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient, unknown>]> = [
  ["undici (KpsNode.layer)", KpsNode.layerHttpClient],
  ["fetch (KpsNode.layerFetch)", KpsNode.layerHttpClientFetch]
]

for (const [name, transport] of transports) {
  /** A client over this transport, built in the test's scope so its sockets live as long as the test. */
  const clientFor = (endpoint: string, options: Partial<KpsClient.Options> = {}) =>
    Effect.flatMap(
      Layer.build(transport),
      (context) =>
        KpsClient.make({ endpoint, projectId, credentials: Credentials.token(token), ...options }).pipe(
          Effect.provide(context)
        )
    )

  describe(`Node transport: ${name}`, () => {
    it.scoped("queries a task over a real socket with the expected headers", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => json(response, 200, task, { "x-request-id": "req-1" }))
        const client = yield* clientFor(server.url)
        const result = yield* client.getTask(taskId)
        expect(result.taskStatus).toBe("RUNNING_RESET")
        expect(result.serverId).toBe(task.server_id)
        const [received] = server.received
        expect(received.method).toBe("GET")
        expect(received.url).toBe(`/v3/${projectId}/tasks/${taskId}`)
        expect(received.headers["x-auth-token"]).toBe(token)
        expect(received.headers["x-project-id"]).toBe(projectId)
        expect(received.headers["user-agent"]).toMatch(/^effect-kps\//)
        expect(received.headers["traceparent"]).toBeUndefined()
      }))

    it.scoped("reuses keep-alive connections for sequential requests", () =>
      Effect.gen(function*() {
        const remotePorts = new Set<number | undefined>()
        const server = yield* serve((request, response) => {
          remotePorts.add(request.socket.remotePort)
          json(response, 200, task)
        })
        const client = yield* clientFor(server.url)
        for (let i = 0; i < 20; i++) yield* client.getTask(taskId)
        expect(server.received).toHaveLength(20)
        // A socket goes back to the pool just after its body is read, so the next request may
        // open a second one; after that, both are reused.
        expect(remotePorts.size).toBeLessThanOrEqual(2)
      }))

    it.scoped("sends an AK/SK signature the server verifies", () =>
      // The server verifies against the wall clock: sign with it too.
      Effect.zipRight(TestClock.setTime(Date.now()), signedQuery))

    const signedQuery = Effect.gen(function*() {
      const secret = "node-test-secret-key"
      const verdicts: Array<string> = []
      const server = yield* serve((request, response) => {
        const url = new URL(request.url ?? "", `http://${request.headers.host}`)
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([key, value]) => [key, String(value)])
        )
        Effect.runPromise(
          Signer.verify({ method: request.method ?? "", url, headers }, () => Redacted.make(secret)).pipe(
            Effect.match({ onFailure: (error) => error.reason, onSuccess: () => "verified" })
          )
        ).then((verdict) => {
          verdicts.push(verdict)
          json(
            response,
            verdict === "verified" ? 200 : 401,
            verdict === "verified" ? task : { error_code: "APIG.0301" }
          )
        })
      })
      const client = yield* clientFor(server.url, {
        credentials: Credentials.accessKey({ accessKeyId: "AK", secretAccessKey: secret })
      })
      expect((yield* client.getTask(taskId)).taskStatus).toBe("RUNNING_RESET")
      expect(verdicts).toEqual(["verified"])
    })

    describe("the transport contract", () => {
      for (const contractCase of TransportContract.cases) {
        it.scoped(contractCase.name, () =>
          Effect.gen(function*() {
            const { answer } = contractCase
            // Once the request is in, body and all: byte for byte, past what node:http would
            // send (a body after a 204, say).
            const server = yield* serve((request, response) => {
              request.on("end", () => response.socket?.end(TransportContract.serialize(answer)))
              request.resume()
            })
            const client = yield* clientFor(server.url)
            const outcome = yield* TransportContract.run(contractCase).pipe(
              Effect.provideService(KpsClient.KpsClient, client)
            )
            expect(outcome).toMatchObject(contractCase.expected)
            expect(server.received).toHaveLength(1)
          }))
      }
    })

    it.scoped("sends the path and query that URL parsing gives, whatever the URL's form", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => json(response, 200, {}))
        const http = HttpClient.filterStatusOk(Context.get(yield* Layer.build(transport), HttpClient.HttpClient))
        const paths = [
          "/v3/p/tasks/t-1",
          "/v3/./p/../q/tasks",
          "/v3/p/%2e%2E/tasks",
          "/v3/p q/tasks?a=1&b=two words",
          "/v3/p/tasks#fragment",
          "/v3//p/tasks/"
        ]
        for (const path of paths) yield* Effect.scoped(http.get(`${server.url}${path}`))
        yield* Effect.scoped(http.get(`${server.url}/v3/p/tasks`, { urlParams: { limit: "10", marker: "a b" } }))
        const expected = paths.map((path) => {
          const url = new URL(`${server.url}${path}`)
          return `${url.pathname}${url.search}`
        })
        expect(server.received.map((r) => r.url)).toEqual([...expected, "/v3/p/tasks?limit=10&marker=a+b"])
      }))

    it.scoped("reads a body larger than a socket's buffer, of declared length or chunked", () =>
      Effect.gen(function*() {
        // Over the 64 KiB the transport holds unread before it pauses the socket, under the 1 MiB limit.
        const large = { ...task, padding: "x".repeat(600 * 1024) }
        const body = JSON.stringify(large)
        const server = yield* serve((_, response) => {
          if (server.received.length === 1) return json(response, 200, large)
          response.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" })
          for (let offset = 0; offset < body.length; offset += 16 * 1024) {
            response.write(body.slice(offset, offset + 16 * 1024))
          }
          response.end()
        })
        const client = yield* clientFor(server.url)
        for (const _ of [0, 1]) expect((yield* client.getTask(taskId)).serverId).toBe(task.server_id)
        expect(server.received).toHaveLength(2)
      }))

    it.scoped("maps an HTML 502, a 429 with Retry-After and a 503", () =>
      Effect.gen(function*() {
        const answers = [
          (response: ServerResponse) => {
            response.writeHead(502, { "content-type": "text/html" })
            response.end("<html><body>502 Bad Gateway</body></html>")
          },
          (response: ServerResponse) =>
            json(response, 429, { error_code: "APIG.0308", error_msg: "over ratelimit" }, { "retry-after": "3" }),
          (response: ServerResponse) => json(response, 503, { error_code: "KPS.0003", error_msg: "busy" })
        ]
        let next = 0
        const server = yield* serve((_, response) => answers[next++](response))
        const client = yield* clientFor(server.url)
        const [html, throttled, unavailable] = yield* Effect.all(
          [0, 1, 2].map(() => Effect.flip(client.getTask(taskId)))
        )
        expect(html).toMatchObject({ _tag: "KpsApiError", status: 502, errorCode: "" })
        expect(html._tag === "KpsApiError" && html.errorMessage).toContain("502 Bad Gateway")
        expect(throttled).toMatchObject({ status: 429, retryAfter: "3" })
        expect(KpsError.classify(throttled)).toBe("throttled")
        expect(KpsError.classify(unavailable)).toBe("transient")
      }))

    it.scoped("does not follow redirects", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => {
          response.writeHead(302, { location: "http://127.0.0.1:1/elsewhere", "content-length": "0" })
          response.end()
        })
        const error = yield* Effect.flip((yield* clientFor(server.url)).getTask(taskId))
        expect(error).toMatchObject({ _tag: "KpsApiError", status: 302 })
        expect(server.received).toHaveLength(1)
      }))

    it.scoped("reports a refused connection", () =>
      Effect.gen(function*() {
        const port = yield* closedPort
        const error = yield* Effect.flip((yield* clientFor(`http://127.0.0.1:${port}`)).getTask(taskId))
        expect(error).toMatchObject({ _tag: "KpsTransportError", reason: "ConnectionRefused" })
      }))

    it.scoped("reports a server that closes mid-response", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => {
          response.writeHead(200, { "content-type": "application/json", "content-length": "500" })
          response.write("{\"task_id\": \"aee8d2fe")
          setImmediate(() => response.socket?.destroy())
        })
        const error = yield* Effect.flip((yield* clientFor(server.url)).getTask(taskId))
        expect(error._tag).toBe("KpsTransportError")
      }))

    it.scoped("times out a slow answer on the Effect clock, and aborts its socket", () =>
      Effect.gen(function*() {
        const server = yield* serve(() => {
          // Never answers: the client's timeout must end the wait.
        })
        const client = yield* clientFor(server.url, { timeout: "5 seconds" })
        const fiber = yield* Effect.fork(Effect.flip(client.getTask(taskId)))
        yield* until(() => server.received.length === 1, "the server receives the request")
        yield* TestClock.adjust("5 seconds")
        expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "KpsTransportError", reason: "Timeout" })
        yield* until(() => server.aborted.length === 1, "the server sees the request aborted")
      }))

    it.scoped("waits for a slow answer that comes within the timeout", () =>
      Effect.gen(function*() {
        const held: Array<ServerResponse> = []
        const server = yield* serve((_, response) => held.push(response))
        const client = yield* clientFor(server.url, { timeout: "5 seconds" })
        const fiber = yield* Effect.fork(client.getTask(taskId))
        yield* until(() => held.length === 1, "the server holds the request")
        yield* TestClock.adjust("4 seconds")
        json(held[0], 200, task)
        expect((yield* Fiber.join(fiber)).taskStatus).toBe("RUNNING_RESET")
      }))

    it.scoped("aborts the socket request when the call is interrupted", () =>
      Effect.gen(function*() {
        const server = yield* serve(() => {})
        const client = yield* clientFor(server.url)
        const fiber = yield* Effect.fork(client.getTask(taskId))
        yield* until(() => server.received.length === 1, "the server receives the request")
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        yield* until(() => server.aborted.length === 1, "the server sees the request aborted")
      }))

    it.scoped("refuses an oversized body, declared or streamed", () =>
      Effect.gen(function*() {
        const big = Buffer.alloc(2 * 1024 * 1024, "x")
        let next = 0
        const server = yield* serve((_, response) => {
          if (next++ === 0) {
            response.writeHead(200, { "content-length": String(big.length) })
            response.end(big)
          } else {
            response.writeHead(200, { "transfer-encoding": "chunked" })
            response.end(big)
          }
        })
        const client = yield* clientFor(server.url)
        for (const _ of [0, 1]) {
          const error = yield* Effect.flip(client.getTask(taskId))
          expect(error).toMatchObject({ _tag: "KpsDecodeError", status: 200 })
          expect(error.message).toContain("exceeds the 1048576-byte limit")
        }
      }))

    it.scoped("reads an answer that a transformClient logged, whatever its framing", () =>
      Effect.gen(function*() {
        const logged: Array<string> = []
        const logger = Logger.make(({ message }) => logged.push(Inspectable.format(message)))
        const body = JSON.stringify(task)
        const framings: ReadonlyArray<(response: ServerResponse) => void> = [
          (response) => json(response, 200, task),
          (response) => {
            response.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" })
            response.write(body.slice(0, 10))
            response.end(body.slice(10))
          },
          (response) => {
            const gzipped = gzipSync(body)
            response.writeHead(200, {
              "content-type": "application/json",
              "content-encoding": "gzip",
              "content-length": String(gzipped.length)
            })
            response.end(gzipped)
          }
        ]
        const server = yield* serve((_, response) => framings[server.received.length - 1](response))
        const client = yield* clientFor(server.url, {
          transformClient: HttpClient.tap((response) => Effect.logDebug(response))
        })
        for (const _ of framings) {
          const result = yield* client.getTask(taskId).pipe(
            Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
            Logger.withMinimumLogLevel(LogLevel.Debug)
          )
          expect(result.taskStatus).toBe("RUNNING_RESET")
        }
        expect(logged.filter((line) => line.includes("HttpClientResponse"))).toHaveLength(3)
        for (const line of logged) expect(line).not.toContain(token)
      }))

    it.scoped("frees the connection of a body refused for its declared size, without reading it", () =>
      Effect.gen(function*() {
        const statuses = [200, 502]
        // Declares 10 MiB, sends a little, then nothing: only the client can end it.
        const server = yield* serve((_, response) => {
          response.writeHead(statuses[server.received.length - 1], {
            "content-type": "application/json",
            "content-length": String(10 * 1024 * 1024)
          })
          response.write("{\"task_id\":")
        })
        const client = yield* clientFor(server.url, { timeout: Duration.infinity })
        for (const [index, status] of statuses.entries()) {
          const error = yield* Effect.flip(client.getTask(taskId))
          expect(error).toMatchObject({ _tag: status === 200 ? "KpsDecodeError" : "KpsApiError", status })
          expect(error.message).toContain("of 10485760 bytes exceeds")
          yield* until(() => server.aborted.length === index + 1, "the server sees the refused body's socket closed")
        }
      }))
  })
}

describe("KpsNode layers", () => {
  it.scoped("KpsNode.layer and layerFetch provide a working KpsClient", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => json(response, 200, task))
      const options = { endpoint: server.url, projectId, credentials: Credentials.token(token) }
      for (const layer of [KpsNode.layer(options), KpsNode.layerFetch(options)]) {
        const result = yield* KpsClient.getTask(taskId).pipe(Effect.provide(layer))
        expect(result.taskStatus).toBe("RUNNING_RESET")
      }
      expect(server.received).toHaveLength(2)
    }))

  it.scoped("KpsNode.layerFromEnv reads everything from the environment", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => json(response, 200, task))
      const result = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(KpsNode.layerFromEnv),
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["HUAWEICLOUD_SDK_AK", "AK"],
            ["HUAWEICLOUD_SDK_SK", "SK"],
            ["HUAWEICLOUD_SDK_PROJECT_ID", projectId],
            ["HUAWEICLOUD_SDK_REGION", "cn-north-4"],
            ["HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4", server.url]
          ])
        ))
      )
      expect(result.taskStatus).toBe("RUNNING_RESET")
      expect(server.received[0].headers["authorization"]).toMatch(/^SDK-HMAC-SHA256 Access=AK, /)
    }))

  it.scoped("goes through HTTP_PROXY, except for hosts in NO_PROXY", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => json(response, 200, task))
      const forward = yield* proxy
      const query = (entries: ReadonlyArray<readonly [string, string]>) =>
        KpsClient.getTask(taskId).pipe(
          Effect.provide(KpsNode.layer({ endpoint: server.url, projectId, credentials: Credentials.token(token) })),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))
        )
      yield* query([["HTTP_PROXY", forward.url]])
      expect(forward.tunnels).toHaveLength(1)
      expect(forward.tunnels[0]).toContain(`127.0.0.1:${server.port}`)
      yield* query([["HTTP_PROXY", forward.url], ["NO_PROXY", "127.0.0.1"]])
      expect(forward.tunnels).toHaveLength(1)
      expect(server.received).toHaveLength(2)
    }))

  it.effect("reports a malformed proxy URL as invalid input", () =>
    Effect.gen(function*() {
      const error = yield* KpsClient.getTask(taskId).pipe(
        Effect.provide(
          KpsNode.layer({ endpoint: "http://127.0.0.1:1", projectId, credentials: Credentials.token(token) })
        ),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["HTTPS_PROXY", "::not a url::"]]))),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "KpsInvalidInput", field: "HTTPS_PROXY" })
    }))
})

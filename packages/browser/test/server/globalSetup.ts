/**
 * Runs in Node before the browser tests: a loopback HTTP server on 127.0.0.1 that answers CORS,
 * verifies AK/SK signatures on the wall clock, and records every request. Its URL reaches the
 * browser through `provide("kpsServerUrl")`. On a page's request, it also starts the KPS emulator
 * (the built `kps-task emulator`) allowing that page's origin with `--cors`.
 */
import { Signer } from "@effect-kps/core"
import { TransportContract } from "@effect-kps/testing"
import { Effect, Redacted } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import type { TestProject } from "vitest/node"
import * as Wire from "../fixtures/wire.js"

const cors = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "X-Request-Id, Retry-After"
}

const isTraceHeader = (name: string) =>
  name === "traceparent" || name === "tracestate" || name === "b3" || name.startsWith("x-b3-")

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    ...cors,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers
  })
  response.end(text)
}

const verify = (request: IncomingMessage, url: URL): Promise<string> => {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]))
  return Effect.runPromise(
    Signer.verify(
      { method: request.method ?? "", url, headers },
      (accessKeyId) => accessKeyId === Wire.accessKeyId ? Redacted.make(Wire.secretAccessKey) : undefined
    ).pipe(Effect.match({ onFailure: (error) => error.reason, onSuccess: () => "verified" }))
  )
}

/** Reads a request's body to its end, so that an answer written on the socket comes after it. */
const drained = (request: IncomingMessage) =>
  new Promise<void>((resolve) => {
    request.on("end", resolve)
    request.resume()
  })

const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../cli")

/**
 * Starts `kps-task emulator` on a free loopback port, accepting the fixture's token and access key,
 * its tasks ending at once, allowing pages from `origin` (CORS); answers its URL, read from its
 * first line.
 */
const startEmulator = (origin: string, started: Array<ChildProcess>): Promise<string> => {
  if (!existsSync(resolve(cliDir, "dist/bin.js"))) {
    return Promise.reject(new Error("the emulator is started with the built kps-task: run `pnpm build` first"))
  }
  const child = spawn(process.execPath, [
    resolve(cliDir, "bin/kps-task.js"),
    "emulator",
    "--cors",
    origin,
    "--token",
    Wire.token,
    "--ak",
    Wire.accessKeyId,
    "--sk",
    Wire.secretAccessKey,
    "--task-duration",
    "0"
  ], { stdio: ["ignore", "pipe", "pipe"] })
  started.push(child)
  return new Promise((resolveUrl, reject) => {
    let output = ""
    const onData = (chunk: string) => {
      output += chunk
      const listening = /^listening on (\S+)\n/.exec(output)
      if (listening !== null) resolveUrl(listening[1])
    }
    child.stdout.setEncoding("utf8").on("data", onData)
    child.stderr.setEncoding("utf8").on("data", onData)
    child.on("error", reject)
    child.on("exit", (code) => reject(new Error(`kps-task emulator exited ${code} before listening: ${output}`)))
  })
}

/** Ends the emulators started: SIGTERM, then their exit. */
const stopAll = (started: ReadonlyArray<ChildProcess>): Promise<unknown> =>
  Promise.all(started.map((child) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((done) => {
        child.on("exit", () => done())
        child.kill("SIGTERM")
      })
  ))

// 64 MiB of JSON text in 64 KB of gzip, its Content-Encoding not exposed to the page.
const bomb = gzipSync(
  Buffer.concat([Buffer.from(`{"task_id":"`), Buffer.alloc(64 * 1024 * 1024, "a"), Buffer.from(`"}`)])
)

export default async function setup(project: TestProject) {
  const received: Array<Wire.Received> = []
  const aborted: Array<string> = []
  const sockets = new Set<Socket>()
  const emulators = new Map<string, Promise<string>>()
  const started: Array<ChildProcess> = []

  const answer = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const [route, variant] = url.pathname.split("/").slice(1)
    switch (route as Wire.Route) {
      case "report":
        return json(response, 200, { requests: received, aborted } satisfies Wire.Report)
      case "token":
        return request.headers["x-auth-token"] === Wire.token
          ? json(response, 200, Wire.task, { "x-request-id": "req-token" })
          : json(response, 401, { error_code: "APIG.0301", error_msg: "x-auth-token not found" })
      case "signed": {
        const verdict = await verify(request, url)
        return verdict === "verified"
          ? json(response, 200, Wire.task, { "x-request-id": "req-signed" })
          : json(response, 401, { error_code: "APIG.0301", error_msg: `verify aksk signature fail: ${verdict}` })
      }
      case "errors":
        return json(response, 400, Wire.errorBodies[variant as keyof typeof Wire.errorBodies], {
          "x-request-id": Wire.requestId
        })
      case "throttled":
        return json(response, 429, { error_code: "APIG.0308", error_msg: "policy user over ratelimit" }, {
          "retry-after": "3",
          "x-request-id": "req-429"
        })
      case "contract": {
        // The shared transport contract, answered byte for byte once the request is in, body and
        // all. Past what node:http would send (a body after a 204, say), so written on the socket.
        const { answer } = TransportContract.cases[Number(variant)]
        await drained(request)
        return response.socket?.end(TransportContract.serialize(answer, cors))
      }
      case "bomb":
        response.writeHead(200, {
          ...cors,
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": String(bomb.length)
        })
        return response.end(bomb)
      case "hang":
        // Never answers: the client's timeout must end the wait.
        return undefined
      case "redirect":
        response.writeHead(302, { ...cors, location: `/control${url.pathname}`, "content-length": "0" })
        return response.end()
      case "control":
        return json(response, 200, Wire.task)
      case "emulator": {
        // One emulator per origin allowed, started on the first request for it.
        const origin = url.searchParams.get("origin") ?? ""
        const starting = emulators.get(origin) ?? startEmulator(origin, started)
        emulators.set(origin, starting)
        return json(response, 200, { url: await starting } satisfies Wire.Emulator)
      }
      default:
        return json(response, 404, { error_code: "APIG.0101", error_msg: "The API does not exist" })
    }
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", `http://${request.headers.host}`)
    if (request.method === "OPTIONS") {
      // A preflight: allow what it asks for, and note whether it asked for a trace header.
      const asked = String(request.headers["access-control-request-headers"] ?? "").split(",")
        .map((name) => name.trim().toLowerCase()).filter((name) => name !== "")
      received.push({ method: "OPTIONS", path: url.pathname, traceHeaders: asked.filter(isTraceHeader) })
      response.writeHead(204, {
        ...cors,
        "access-control-allow-methods": "GET, POST, DELETE",
        "access-control-allow-headers": asked.join(", "),
        "access-control-max-age": "0"
      })
      response.end()
      return
    }
    if (!url.pathname.startsWith("/report")) {
      received.push({
        method: request.method ?? "",
        path: url.pathname,
        traceHeaders: Object.keys(request.headers).filter(isTraceHeader)
      })
    }
    response.on("close", () => {
      if (!response.writableFinished) aborted.push(url.pathname)
    })
    answer(request, response, url).catch((error) =>
      json(response, 500, { error_code: "TEST.500", error_msg: String(error) })
    )
  })
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  const port = await new Promise<number>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resolve(typeof address === "object" && address !== null ? address.port : 0)
    })
  })
  project.provide("kpsServerUrl", `http://127.0.0.1:${port}`)

  return async () => {
    await stopAll(started)
    await new Promise<void>((done) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => done())
    })
  }
}

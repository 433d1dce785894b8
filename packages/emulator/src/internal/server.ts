/** Listening: a Node HTTP server on 127.0.0.1 serving the emulator's app, closed with its scope. */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type { Duplex } from "node:stream"
import type { Options, Service } from "../KpsEmulator.js"
import * as TaskStore from "../TaskStore.js"
import * as App from "./app.js"
import { EmulatorError } from "./emulatorError.js"
import * as FaultEngine from "./faults.js"
import * as Settings from "./options.js"

/** The only interface the emulator listens on. */
export const host = "127.0.0.1"

// A request Node's parser rejects never reaches the app: answer it in the same shape, and close.
const onClientError = (error: Error & { readonly code?: string }, socket: Duplex): void => {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW"
  const requestId = App.newRequestId()
  const body = JSON.stringify({
    error_code: "APIG.0201",
    error_msg: tooLarge ? "Request header fields too large" : "Bad request: the HTTP request could not be parsed",
    request_id: requestId
  })
  socket.end(
    `HTTP/1.1 ${tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`
  )
}

export const make = (options?: Options): Effect.Effect<Service, EmulatorError, Scope.Scope> =>
  Effect.gen(function*() {
    const settings = yield* Settings.settings(options)
    const store = yield* TaskStore.makeMemory({
      taskDuration: settings.taskDuration,
      readyDuration: settings.readyDuration,
      failServers: settings.failServers,
      seed: settings.seed
    })
    for (const [taskId, faults] of settings.taskFaults) yield* store.setFaults(taskId, faults)
    const nodeServer = Http.createServer()
    nodeServer.on("clientError", onClientError)
    const server = yield* NodeHttpServer.make(() => nodeServer, { port: settings.port, host }).pipe(
      Effect.mapError((error) =>
        new EmulatorError({
          reason: "Listen",
          description: `${host}:${settings.port}: ${error.cause instanceof Error ? error.cause.message : String(error)}`
        })
      )
    )
    // Runs before the server closes: no keep-alive connection holds the close up.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    yield* HttpServer.serveEffect(App.make({ settings, store, faults: FaultEngine.make(settings.seed) })).pipe(
      Effect.provideService(HttpServer.HttpServer, server)
    )
    const port = server.address._tag === "TcpAddress" ? server.address.port : settings.port
    return { url: `http://${host}:${port}`, port, store }
  })

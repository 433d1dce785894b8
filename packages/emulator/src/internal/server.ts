/**
 * Listening: a Node HTTP server on 127.0.0.1 serving the emulator's app, closed with its scope.
 * What reaches the socket but never the app is answered here, in the same shape: requests Node
 * cannot parse, requests too slow to arrive (`headersTimeout`, `requestTimeout`), `CONNECT`.
 */
import * as Gateway from "@effect-kps/testing/Gateway"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type { Duplex } from "node:stream"
import type { Options, Service } from "../KpsEmulator.js"
import * as TaskStore from "../TaskStore.js"
import * as ApiError from "./apiError.js"
import * as App from "./app.js"
import { EmulatorError } from "./emulatorError.js"
import * as FaultEngine from "./faults.js"
import * as Settings from "./options.js"
import * as Replies from "./replies.js"

/** The only interface the emulator listens on. */
export const host = "127.0.0.1"

/** Answers on the raw socket, then closes it: for what Node keeps from the app. */
const answerAndClose = (socket: Duplex, failure: ApiError.Failure): void => {
  const requestId = App.newRequestId()
  const body = JSON.stringify(Replies.errorBody(failure, requestId))
  const headers = Object.entries(failure.headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")
  socket.end(
    `HTTP/1.1 ${failure.status} ${Http.STATUS_CODES[failure.status] ?? ""}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    () => socket.destroy()
  )
}

const clientErrors: Readonly<Record<string, () => ApiError.ApiError>> = {
  HPE_HEADER_OVERFLOW: ApiError.headersTooLarge,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: () => ApiError.badRequest("Chunk extensions too large"),
  ERR_HTTP_REQUEST_TIMEOUT: ApiError.requestTimeout
}

// A request Node's parser rejects, or that does not arrive within the timeouts, never reaches
// the app: it gets the gateway's answer here, and its connection is closed.
const onClientError = (error: Error & { readonly code?: string }, socket: Duplex): void => {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy()
    return
  }
  const known = error.code === undefined ? undefined : clientErrors[error.code]
  answerAndClose(socket, known === undefined ? ApiError.unparsable() : known())
}

// `CONNECT` asks for a tunnel: the gateway is no proxy, and routes no API for it.
const onConnect = (_request: Http.IncomingMessage, socket: Duplex): void =>
  answerAndClose(socket, Gateway.routeNotFound())

/** Node's own timeouts, which bound slow clients: milliseconds, checked a few times per timeout. */
const serverOptions = (settings: Settings.Settings): Http.ServerOptions => {
  const headersTimeout = Duration.toMillis(settings.headersTimeout)
  const requestTimeout = Duration.toMillis(settings.requestTimeout)
  return {
    headersTimeout,
    requestTimeout,
    // Node checks its timeouts every 30 s by default: a 10 s timeout would last up to 40.
    connectionsCheckingInterval: Math.max(1, Math.min(1000, Math.floor(headersTimeout / 4)))
  }
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
    const nodeServer = Http.createServer(serverOptions(settings))
    nodeServer.on("clientError", onClientError)
    nodeServer.on("connect", onConnect)
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
    const app = yield* App.make({
      settings,
      store,
      faults: FaultEngine.make(settings.seed),
      limits: { maxBodyBytes: settings.maxBodyBytes, budget: yield* Effect.makeSemaphore(settings.maxBufferedBytes) }
    })
    yield* HttpServer.serveEffect(app).pipe(Effect.provideService(HttpServer.HttpServer, server))
    // KPS has no protocol upgrades. The platform hands them to the app with the raw socket, out of
    // reach of Node's body parsing and timeouts; without an upgrade listener, Node serves them as
    // the ordinary requests they then are (the `Upgrade` header ignored, as HTTP allows).
    nodeServer.removeAllListeners("upgrade")
    const port = server.address._tag === "TcpAddress" ? server.address.port : settings.port
    return { url: `http://${host}:${port}`, port, store }
  })

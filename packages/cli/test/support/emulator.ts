import { KpsEmulator, type TaskStore } from "@effect-kps/emulator"
import { type Duration, Effect, Layer, ManagedRuntime, TestClock, TestContext } from "effect"
import { Agent, createServer as createHttpServer, request as httpRequest, type RequestListener } from "node:http"
import { createServer } from "node:net"

export const projectId = KpsEmulator.defaultProjectId

/**
 * An emulator in the test process, on a free loopback port, until `close`. Its clock is a
 * `TestClock` that starts at the real time (signatures are dated) and moves only with `advance`:
 * a task keeps its status until the test moves it on, however slowly the CLI runs.
 */
export interface InProcess {
  readonly url: string
  readonly store: TaskStore.TaskStore
  /** Creates an associate task; its durations default to the emulator's. */
  readonly createTask: (options?: Partial<TaskStore.NewTask>) => Promise<TaskStore.Task>
  /** Moves the emulator's clock, and so its tasks, forward. */
  readonly advance: (duration: Duration.DurationInput) => Promise<void>
  /** Runs an effect on the emulator's runtime (its clock): to read its `store`. */
  readonly run: <A>(effect: Effect.Effect<A>) => Promise<A>
  readonly close: () => Promise<void>
}

export const startInProcess = async (options: KpsEmulator.Options = {}): Promise<InProcess> => {
  const runtime = ManagedRuntime.make(KpsEmulator.layer(options).pipe(Layer.provideMerge(TestContext.TestContext)))
  const emulator = await runtime.runPromise(
    Effect.zipLeft(KpsEmulator.KpsEmulator, TestClock.setTime(Date.now()))
  )
  let servers = 0
  return {
    url: emulator.url,
    store: emulator.store,
    createTask: (task = {}) =>
      runtime.runPromise(
        emulator.store.create({ projectId, operation: "associate", serverId: `server-${++servers}`, ...task })
      ),
    advance: (duration) => runtime.runPromise(TestClock.adjust(duration)),
    run: (effect) => runtime.runPromise(effect),
    close: () => runtime.dispose()
  }
}

/** A loopback port nothing listens on. */
export const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** A loopback server that counts the requests made to it, and refuses each with a 400. */
export interface Tripwire {
  readonly url: string
  readonly requests: () => number
  readonly close: () => Promise<void>
}

/** Starts a {@link Tripwire}: point a CLI at it to show that it sent nothing. */
export const tripwire = async (): Promise<Tripwire> => {
  let requests = 0
  const server = await listening((_request, response) => {
    requests++
    response.writeHead(400, { "content-type": "application/json", connection: "close" })
    response.end(JSON.stringify({ error_code: "TRIPWIRE", error_msg: "this request should not have been sent" }))
  })
  return { ...server, requests: () => requests }
}

/** A request a {@link Recorder} received. */
export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: string
}

/**
 * A loopback server that records every request, and answers each with a 202 `{task_id, server_id}`
 * as KPS answers associate and disassociate: to see exactly what a command sent.
 */
export interface Recorder {
  readonly url: string
  readonly requests: () => ReadonlyArray<Recorded>
  readonly close: () => Promise<void>
}

/** Starts a {@link Recorder}. */
export const recorder = async (): Promise<Recorder> => {
  const requests: Array<Recorded> = []
  const server = await listening((request, response) => {
    let body = ""
    request.setEncoding("utf8").on("data", (chunk: string) => (body += chunk))
    request.on("end", () => {
      requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body })
      const serverId = (() => {
        try {
          return (JSON.parse(body) as { server?: { id?: unknown } }).server?.id
        } catch {
          return undefined
        }
      })()
      response.writeHead(202, { "content-type": "application/json", "x-request-id": `recorded-${requests.length}` })
      response.end(JSON.stringify({ task_id: `recorded-task-${requests.length}`, server_id: serverId }))
    })
  })
  return { ...server, requests: () => requests }
}

/** A request as it arrived at a {@link Counter}: when (real time, epoch ms), and what it asked. */
export interface Arrival {
  readonly at: number
  readonly method: string
  readonly path: string
}

/** A loopback proxy in front of a server, counting what arrives: KPS's view of the clients. */
export interface Counter {
  readonly url: string
  readonly arrivals: () => ReadonlyArray<Arrival>
  readonly close: () => Promise<void>
}

/**
 * Starts a {@link Counter} in front of `target`. An answer the target drops (a closed connection)
 * is dropped for the client too.
 */
export const counter = async (target: string): Promise<Counter> => {
  const arrivals: Array<Arrival> = []
  const agent = new Agent({ keepAlive: true })
  const server = await listening((request, response) => {
    arrivals.push({ at: Date.now(), method: request.method ?? "", path: request.url ?? "" })
    const upstream = httpRequest(new URL(request.url ?? "/", target), {
      method: request.method,
      headers: request.headers,
      agent
    }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
      answer.on("error", () => response.destroy())
    })
    upstream.on("error", () => response.destroy())
    request.pipe(upstream)
  })
  return {
    url: server.url,
    arrivals: () => arrivals,
    close: () => server.close().finally(() => agent.destroy())
  }
}

/** A loopback HTTP server with this handler, and how to stop it (its connections closed at once). */
const listening = (handler: RequestListener): Promise<{ readonly url: string; readonly close: () => Promise<void> }> =>
  new Promise((resolve, reject) => {
    const server = createHttpServer(handler)
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => {
          server.closeAllConnections()
          return new Promise((resolveClose) => server.close(() => resolveClose()))
        }
      })
    })
  })

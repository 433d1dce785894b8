import { KpsEmulator, type TaskStore } from "@effect-kps/emulator"
import { Effect, Exit, Scope } from "effect"
import { createServer } from "node:net"

export const projectId = KpsEmulator.defaultProjectId

/** An emulator in the test process, on a free loopback port, until `close`. */
export interface InProcess {
  readonly url: string
  readonly store: TaskStore.TaskStore
  /** Creates an associate task; its durations default to the emulator's. */
  readonly createTask: (options?: Partial<TaskStore.NewTask>) => Promise<TaskStore.Task>
  readonly close: () => Promise<void>
}

export const startInProcess = async (options: KpsEmulator.Options = {}): Promise<InProcess> => {
  const scope = Effect.runSync(Scope.make())
  const emulator = await Effect.runPromise(Scope.extend(KpsEmulator.make(options), scope))
  let servers = 0
  return {
    url: emulator.url,
    store: emulator.store,
    createTask: (task = {}) =>
      Effect.runPromise(
        emulator.store.create({ projectId, operation: "associate", serverId: `server-${++servers}`, ...task })
      ),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
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

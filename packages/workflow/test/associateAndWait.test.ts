import { WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { KpsWorkflow, ServerCredentials, WorkflowMetrics } from "@effect-kps/workflow"
import { MessageStorage } from "@effect/cluster"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Metric, Redacted, Scope, TestClock } from "effect"
import { RequestGate } from "../src/internal/requestGate.js"
import { startProcess, storages } from "./utils/processes.js"

const password = "root-password-that-must-stay-out-of-storage"
const Credentials = Layer.succeed(
  ServerCredentials.ServerCredentials,
  (serverId: string) =>
    Effect.succeed(serverId === "srv-1" ? { type: "password" as const, key: Redacted.make(password) } : undefined)
)

const payload = { keypairName: "deploy-2026", serverId: "srv-1", policy: WaitPolicy.fixed("5 seconds") }

const isAssociate = (request: KpsTesting.RecordedRequest) =>
  request.method === "POST" && request.url.endsWith("/keypairs/associate")

/** Started tasks run for `seconds`, then succeed. */
const taking = (seconds: number): KpsTesting.Scenario["timeline"] => () => [
  KpsTesting.status("RUNNING_RESET", { for: `${seconds} seconds` }),
  KpsTesting.status("SUCCESS_RESET")
]

describe("KpsWorkflow.AssociateAndWait", () => {
  it.effect("binds once, with the server's login from ServerCredentials, and waits until the task ends", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(KpsWorkflow.AssociateAndWait.execute(payload))
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(Exit.isSuccess(exit) && exit.value.taskStatus).toBe("SUCCESS_RESET")
      const requests = yield* KpsTesting.requests
      const binds = requests.filter(isAssociate)
      expect(binds).toHaveLength(1)
      expect(JSON.parse(binds[0].body)).toMatchObject({
        keypair_name: "deploy-2026",
        server: { id: "srv-1", auth: { type: "password", key: password } }
      })
      expect(requests.filter((request) => request.method === "GET").length).toBeGreaterThan(1)
    }).pipe(
      Effect.provide(KpsWorkflow.layerMemory.pipe(
        Layer.provideMerge(KpsTesting.layerClient({ timeline: taking(12) })),
        Layer.provide(Credentials)
      ))
    ))

  it.effect("a binding whose answer never came is looked for among the running tasks and adopted, not sent again", () =>
    Effect.gen(function*() {
      const adopted = (yield* Metric.value(WorkflowMetrics.adopted)).count
      const fiber = yield* Effect.fork(KpsWorkflow.AssociateAndWait.execute(payload))
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(Exit.isSuccess(exit) && exit.value.taskId).toBe("stub-task-000001")
      expect((yield* KpsTesting.requests).filter(isAssociate)).toHaveLength(1)
      expect((yield* Metric.value(WorkflowMetrics.adopted)).count - adopted).toBe(1)
    }).pipe(
      Effect.provide(KpsWorkflow.layerMemory.pipe(
        Layer.provideMerge(KpsTesting.layerClient({
          timeline: taking(300),
          // The task starts; its answer comes after the client has given up.
          routes: { associateKeypair: [KpsTesting.pass({ latency: "10 minutes" })] }
        }))
      ))
    ))

  it.effect("every request passes the gate of a fleet: the binding, the look for it, each page, each poll", () => {
    let admitted = 0
    const gate = Layer.succeed(RequestGate, { admit: Effect.sync(() => void admitted++) })
    return Effect.gen(function*() {
      const exit = yield* KpsTesting.runToEnd(yield* Effect.fork(KpsWorkflow.AssociateAndWait.execute(payload)))
      expect(Exit.isSuccess(exit)).toBe(true)
      const requests = yield* KpsTesting.requests
      expect(requests.filter(isAssociate)).toHaveLength(1)
      expect(requests.filter((request) => request.url.includes("/running-tasks"))).toHaveLength(1)
      // Leave taken as the one page of running tasks was read goes unused: there is no next page.
      expect(admitted).toBe(requests.length + 1)
    }).pipe(
      Effect.provide(KpsWorkflow.layerMemory.pipe(
        Layer.provide(gate),
        Layer.provideMerge(KpsTesting.layerClient({
          timeline: taking(300),
          routes: { associateKeypair: [KpsTesting.pass({ latency: "10 minutes" })] }
        }))
      ))
    )
  })

  it.effect("an error KPS answered is the result: nothing is adopted, nothing waited on", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(KpsWorkflow.AssociateAndWait.execute(payload))
      const exit = yield* KpsTesting.runToEnd(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error).toMatchObject({
        _tag: "KpsApiError",
        status: 400
      })
      const requests = yield* KpsTesting.requests
      expect(requests.filter(isAssociate)).toHaveLength(1)
      expect(requests.filter((request) => request.method === "GET")).toEqual([])
    }).pipe(
      Effect.provide(KpsWorkflow.layerMemory.pipe(
        Layer.provideMerge(KpsTesting.layerClient({
          refuseServers: { "srv-1": { code: "KPS.2001", message: "server not found" } }
        }))
      ))
    ))

  for (const storage of storages) {
    it.scoped(
      `${storage.name}: a process stopped after sending the binding: the next one adopts the task; the login never reaches storage`,
      () =>
        Effect.gen(function*() {
          const { contents, layer: processLayer } = yield* storage.make
          const adopted = (yield* Metric.value(WorkflowMetrics.adopted)).count
          const first = yield* startProcess(processLayer)
          yield* KpsWorkflow.AssociateAndWait.execute(payload, { discard: true }).pipe(Effect.provide(first.context))
          // The binding is sent; its answer is 5 s late, and the process stops before it comes.
          yield* TestClock.adjust("2 seconds")
          expect((yield* KpsTesting.requests).filter(isAssociate)).toHaveLength(1)
          yield* Scope.close(first.scope, Exit.void)

          const second = yield* startProcess(processLayer)
          const exit = yield* KpsWorkflow.AssociateAndWait.execute(payload).pipe(
            Effect.provide(second.context),
            Effect.fork,
            Effect.flatMap(KpsTesting.runToEnd)
          )
          yield* Scope.close(second.scope, Exit.void)
          expect(Exit.isSuccess(exit) && exit.value.taskId).toBe("stub-task-000001")
          const requests = yield* KpsTesting.requests
          expect(requests.filter(isAssociate)).toHaveLength(1)
          expect((yield* Metric.value(WorkflowMetrics.adopted)).count - adopted).toBe(1)
          // The login went on the wire, and nowhere into what the engine stored.
          expect(requests.filter(isAssociate)[0].body).toContain(password)
          const stored = yield* contents
          expect(stored).toContain("deploy-2026")
          expect(stored).not.toContain(password)
        }).pipe(
          Effect.provide(Layer.mergeAll(
            KpsTesting.layerClient({
              timeline: taking(60),
              routes: { associateKeypair: [KpsTesting.pass({ latency: "5 seconds" })] }
            }),
            Credentials,
            MessageStorage.MemoryDriver.Default
          ))
        ),
      { timeout: 60_000 }
    )
  }

  it.effect("the idempotency key: executing twice for one server and key pair joins the one binding", () =>
    Effect.gen(function*() {
      const first = yield* Effect.fork(KpsWorkflow.AssociateAndWait.execute(payload))
      const second = yield* Effect.fork(KpsWorkflow.AssociateAndWait.execute(payload))
      yield* KpsTesting.runToEnd(first)
      yield* KpsTesting.runToEnd(second)
      expect((yield* KpsTesting.requests).filter(isAssociate)).toHaveLength(1)
      const third = yield* Effect.fork(
        KpsWorkflow.AssociateAndWait.execute({ ...payload, idempotencyKey: "rotation-2" })
      )
      yield* KpsTesting.runToEnd(third)
      expect((yield* KpsTesting.requests).filter(isAssociate)).toHaveLength(2)
    }).pipe(
      Effect.provide(KpsWorkflow.layerMemory.pipe(Layer.provideMerge(KpsTesting.layerClient({ timeline: taking(8) }))))
    ))
})

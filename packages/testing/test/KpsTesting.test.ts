import { KpsClient } from "@effect-kps/core"
import { Gateway, KpsTesting } from "@effect-kps/testing"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"

const statusOf = (taskId: string) => Effect.map(KpsClient.getTask(taskId), (task) => task.taskStatus)
const errorOf = (taskId: string) => Effect.flip(KpsClient.getTask(taskId))

describe("KpsTesting timelines", () => {
  it.effect("moves a task forward as the TestClock advances", () =>
    Effect.gen(function*() {
      expect(yield* statusOf("t-1")).toBe("RUNNING_RESET")
      yield* TestClock.adjust("29999 millis")
      expect(yield* statusOf("t-1")).toBe("RUNNING_RESET")
      yield* TestClock.adjust("1 millis")
      expect(yield* statusOf("t-1")).toBe("SUCCESS_RESET")
      yield* TestClock.adjust("1 hour")
      expect(yield* statusOf("t-1")).toBe("SUCCESS_RESET")
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        "t-1": [KpsTesting.status("RUNNING_RESET", { for: "30 seconds" }), KpsTesting.status("SUCCESS_RESET")]
      }
    }))))

  it.effect("counts time from the start, however often the task is polled", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("25 seconds")
      expect(yield* statusOf("t-1")).toBe("FAILED_UNBIND")
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        "t-1": [
          KpsTesting.status("READY_UNBIND", { for: "10 seconds" }),
          KpsTesting.status("RUNNING_UNBIND", { for: "10 seconds" }),
          KpsTesting.status("FAILED_UNBIND")
        ]
      }
    }))))

  it.effect("ends a step after a number of requests", () =>
    Effect.gen(function*() {
      const first = yield* errorOf("t-1")
      const second = yield* errorOf("t-1")
      expect(first).toMatchObject({ _tag: "KpsApiError", status: 429, errorCode: "APIG.0308", retryAfter: "2" })
      expect(second).toMatchObject({ _tag: "KpsApiError", status: 429 })
      expect(yield* statusOf("t-1")).toBe("SUCCESS_BIND")
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: { "t-1": [KpsTesting.throttled({ retryAfter: 2, times: 2 }), KpsTesting.status("SUCCESS_BIND")] }
    }))))

  it.effect("ends a step on whichever of time and count comes first", () =>
    Effect.gen(function*() {
      expect(yield* errorOf("t-1")).toMatchObject({ status: 503 })
      yield* TestClock.adjust("5 seconds")
      expect(yield* statusOf("t-1")).toBe("RUNNING_REPLACE")
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        "t-1": [
          KpsTesting.apiError(503, { code: "KPS.0003", message: "Dependency service unavailable" }, {
            for: "5 seconds",
            times: 10
          }),
          KpsTesting.status("RUNNING_REPLACE")
        ]
      }
    }))))

  it.effect("starts a task added later at the moment it is added", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("1 minute")
      yield* KpsTesting.setTask("late", [
        KpsTesting.status("RUNNING_BIND", { for: "10 seconds" }),
        KpsTesting.status("SUCCESS_BIND")
      ])
      expect(yield* statusOf("late")).toBe("RUNNING_BIND")
      yield* TestClock.adjust("10 seconds")
      expect(yield* statusOf("late")).toBe("SUCCESS_BIND")
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))
})

describe("KpsTesting faults, through KpsClient", () => {
  it.effect("answers unknown task ids with the gateway's 404 KPS.0001, as the emulator does", () =>
    Effect.gen(function*() {
      expect(yield* errorOf("nobody")).toMatchObject({
        _tag: "KpsApiError",
        status: 404,
        errorCode: "KPS.0001",
        errorMessage: Gateway.unknownTask("nobody").errorMessage,
        requestId: "stub-request-000001"
      })
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))

  it.effect("answers unknown task ids with a scripted reply", () =>
    Effect.gen(function*() {
      expect(yield* errorOf("nobody")).toMatchObject({ status: 404, errorCode: "KPS.0404" })
    }).pipe(Effect.provide(KpsTesting.layerClient({
      unknownTask: KpsTesting.apiError(404, { code: "KPS.0404", message: "not found" }).reply
    }))))

  for (const shape of ["flat", "nested", "code"] as const) {
    it.effect(`sends a ${shape} Huawei error body`, () =>
      Effect.gen(function*() {
        expect(yield* errorOf("t")).toMatchObject({
          _tag: "KpsApiError",
          status: 403,
          errorCode: "KPS.9003",
          errorMessage: "No operation permission",
          requestId: "stub-request-000001"
        })
      }).pipe(Effect.provide(KpsTesting.layerClient({
        tasks: { t: [KpsTesting.apiError(403, { code: "KPS.9003", message: "No operation permission", shape })] }
      }))))
  }

  it.effect("sends an HTML gateway page", () =>
    Effect.gen(function*() {
      const error = yield* errorOf("t")
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 502, errorCode: "" })
      expect(error._tag === "KpsApiError" && error.errorMessage).toContain("502 Bad Gateway")
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.html(502)] } }))))

  it.effect("sends malformed and empty bodies", () =>
    Effect.gen(function*() {
      expect(yield* errorOf("malformed")).toMatchObject({ _tag: "KpsDecodeError", status: 200 })
      expect(yield* errorOf("empty")).toMatchObject({ _tag: "KpsDecodeError", status: 200 })
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: { malformed: [KpsTesting.raw(200, "{\"task_id\": ")], empty: [KpsTesting.raw(200, "")] }
    }))))

  it.effect("sends unknown statuses and bodies with fields missing", () =>
    Effect.gen(function*() {
      expect(yield* statusOf("odd")).toBe("DEFROSTING_RESET")
      const bare = yield* KpsClient.getTask("bare")
      expect(bare.taskId).toBe("bare")
      expect(bare.taskStatus).toBeUndefined()
      const full = yield* KpsClient.getTask("full")
      expect(full.serverId).toBe("srv-1")
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        odd: [KpsTesting.status("DEFROSTING_RESET")],
        bare: [KpsTesting.task({ status: "RUNNING_RESET", omit: ["task_id", "task_status"] })],
        full: [KpsTesting.task({ status: "SUCCESS_RESET", serverId: "srv-1", extra: { keypair_name: "k" } })]
      }
    }))))

  for (const reason of ["ConnectionRefused", "ConnectionReset", "DnsLookup"] as const) {
    it.effect(`fails the transport: ${reason}`, () =>
      Effect.gen(function*() {
        expect(yield* errorOf("t")).toMatchObject({ _tag: "KpsTransportError", reason })
      }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.transportError(reason)] } }))))
  }

  it.effect("hangs until the client's timeout", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(errorOf("t"))
      yield* TestClock.adjust("29 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "KpsTransportError", reason: "Timeout" })
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.hang()] } }))))

  it.effect("answers after its latency, or times out when that is too long", () =>
    Effect.gen(function*() {
      const slow = yield* Effect.fork(statusOf("slow"))
      const tooSlow = yield* Effect.fork(errorOf("too-slow"))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(slow)).toBe("RUNNING_RESET")
      yield* TestClock.adjust("25 seconds")
      expect(yield* Fiber.join(tooSlow)).toMatchObject({ reason: "Timeout" })
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: {
        slow: [KpsTesting.status("RUNNING_RESET", { latency: "5 seconds" })],
        "too-slow": [KpsTesting.status("RUNNING_RESET", { latency: "40 seconds" })]
      }
    }))))

  it.effect("sends no further request after an interrupted call", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(KpsClient.getTask("t"))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 minute")
      expect(yield* KpsTesting.requests).toHaveLength(1)
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { t: [KpsTesting.hang()] } }))))
})

describe("KpsTesting.requests", () => {
  it.effect("records method, URL, headers and time of each request", () =>
    Effect.gen(function*() {
      yield* KpsClient.getTask("t-1")
      yield* TestClock.adjust("3 seconds")
      yield* KpsClient.getTask("t-1", { projectId: "other" })
      const requests = yield* KpsTesting.requests
      expect(requests.map((request) => [request.method, request.url, request.at])).toEqual([
        ["GET", `${KpsTesting.endpoint}/v3/${KpsTesting.projectId}/tasks/t-1`, 0],
        ["GET", `${KpsTesting.endpoint}/v3/other/tasks/t-1`, 3000]
      ])
      expect(requests[0].headers["x-auth-token"]).toBe("stub-token")
      expect(requests[1].headers["x-project-id"]).toBe("other")
    }).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { "t-1": [KpsTesting.status("RUNNING_RESET")] } }))))

  it.effect("answers other routes like the gateway: 404 APIG.0101", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const post = yield* client.execute(HttpClientRequest.post(`${KpsTesting.endpoint}/v3/p/tasks/t`))
      const other = yield* client.execute(HttpClientRequest.get(`${KpsTesting.endpoint}/v3/p/keypairs`))
      for (const response of [post, other]) {
        expect(response.status).toBe(404)
        expect(yield* response.json).toMatchObject({ error_code: "APIG.0101" })
      }
      // The gateway routes by method and path: a task path exists for GET only.
      expect(post.headers["allow"]).toBe("GET")
      expect(other.headers["x-request-id"]).toBe("stub-request-000002")
    }).pipe(Effect.provide(KpsTesting.layer({}))))

  it.effect("gives the same answers and request ids on every run", () =>
    Effect.gen(function*() {
      const run = Effect.gen(function*() {
        const outcomes: Array<unknown> = []
        for (let i = 0; i < 4; i++) {
          outcomes.push(yield* Effect.either(KpsClient.getTask("t")))
          yield* TestClock.adjust("1 second")
        }
        return outcomes.map((outcome) => JSON.stringify(outcome))
      })
      const scenario = {
        tasks: {
          t: [
            KpsTesting.throttled({ times: 1 }),
            KpsTesting.status("RUNNING_RESET", { for: "2 seconds" }),
            KpsTesting.status("SUCCESS_RESET")
          ]
        }
      }
      const first = yield* Effect.provide(run, KpsTesting.layerClient(scenario))
      const second = yield* Effect.provide(run, KpsTesting.layerClient(scenario))
      expect(first).toEqual(second)
      expect(first[0]).toContain("APIG.0308")
      expect(first[3]).toContain("SUCCESS_RESET")
    }))
})

describe("KpsTesting.runToEnd", () => {
  it.effect("moves the TestClock from wake-up to wake-up until the fiber ends", () =>
    Effect.gen(function*() {
      const program = Effect.gen(function*() {
        const first = yield* KpsClient.getTask("t")
        yield* Effect.sleep("45 seconds")
        const second = yield* KpsClient.getTask("t")
        return [first.taskStatus, second.taskStatus]
      })
      const exit = yield* KpsTesting.runToEnd(yield* Effect.fork(program))
      expect(exit).toMatchObject({ _tag: "Success", value: ["RUNNING_BIND", "SUCCESS_BIND"] })
      expect((yield* KpsTesting.requests).map((request) => request.at)).toEqual([0, 45_000])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      tasks: { t: [KpsTesting.status("RUNNING_BIND", { for: "30 seconds" }), KpsTesting.status("SUCCESS_BIND")] }
    }))))

  it.effect("gives up after maxSteps clock moves", () =>
    Effect.gen(function*() {
      const forever = Effect.forever(Effect.sleep("1 second"))
      const exit = yield* Effect.exit(KpsTesting.runToEnd(yield* Effect.fork(forever), { maxSteps: 5 }))
      expect(exit._tag).toBe("Failure")
    }))
})

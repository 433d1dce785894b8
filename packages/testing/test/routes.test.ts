import { type KeypairAssociation, KpsClient, KpsError } from "@effect-kps/core"
import { KpsTesting } from "@effect-kps/testing"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Redacted, TestClock } from "effect"

const associate: KeypairAssociation.AssociateRequest = {
  keypairName: "deploy-2026",
  server: { id: "srv-1", auth: { type: "keypair", key: Redacted.make("-----BEGIN KEY-----") }, port: 2222 }
}

const project = `${KpsTesting.endpoint}/v3/${KpsTesting.projectId}`

describe("KpsTesting: routes scripted as a whole", () => {
  it.effect("a 503 on the associate POST: sent exactly once, never retried, and no task started", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.associateKeypair(associate))
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 503, errorCode: "KPS.0003" })
      expect(KpsError.classify(error)).toBe("transient")
      yield* TestClock.adjust("1 minute")
      const requests = yield* KpsTesting.requests
      expect(requests.map((request) => [request.method, request.url])).toEqual([
        ["POST", `${project}/keypairs/associate`]
      ])
      expect(yield* KpsTesting.started).toEqual([])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      routes: { associateKeypair: [KpsTesting.apiError(503, { code: "KPS.0003", message: "Service unavailable" })] }
    }))))

  it.effect("a scripted fault for some requests, then the route's own answers", () =>
    Effect.gen(function*() {
      const throttled = yield* Effect.flip(KpsClient.associateKeypair(associate))
      expect(throttled).toMatchObject({ status: 429, errorCode: "APIG.0308", retryAfter: "2" })
      const started = yield* KpsClient.associateKeypair(associate)
      expect(started.taskId).toBe("stub-task-000001")
      // Other routes are not scripted: they answer as usual.
      expect((yield* KpsClient.getTask(started.taskId)).taskStatus).toBe("READY_RESET")
      expect(yield* KpsTesting.requests).toHaveLength(3)
    }).pipe(Effect.provide(KpsTesting.layerClient({
      routes: { associateKeypair: [KpsTesting.throttled({ retryAfter: 2, times: 1 }), KpsTesting.pass()] }
    }))))

  it.effect("a hang on the disassociate POST ends at the client's timeout, sent once", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(KpsClient.disassociateKeypair({ server: { id: "srv-1" } })))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "KpsTransportError", reason: "Timeout" })
      expect(yield* KpsTesting.requests).toHaveLength(1)
      expect(yield* KpsTesting.started).toEqual([])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      routes: { disassociateKeypair: [KpsTesting.hang()] }
    }, { timeout: "5 seconds" }))))

  it.effect("a transport error on the batch POST, sent once", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.batchAssociateKeypairs([associate]))
      expect(error).toMatchObject({ _tag: "KpsTransportError", reason: "ConnectionReset" })
      expect(yield* KpsTesting.requests).toHaveLength(1)
    }).pipe(Effect.provide(KpsTesting.layerClient({
      routes: { batchAssociateKeypairs: [KpsTesting.transportError("ConnectionReset")] }
    }))))

  it.effect("an answer lost to a timeout: the task started all the same, and is listed", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(KpsClient.associateKeypair(associate)))
      yield* TestClock.adjust("3 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "KpsTransportError", reason: "Timeout" })
      // Started when the request arrived, at 0: running until 5 seconds.
      const running = yield* KpsClient.listRunningTasks()
      expect(running.tasks.map((task) => [task.taskId, task.serverId])).toEqual([["stub-task-000001", "srv-1"]])
    }).pipe(Effect.provide(KpsTesting.layerClient({
      routes: { associateKeypair: [KpsTesting.pass({ latency: "1 minute" })] }
    }, { timeout: "3 seconds" }))))

  it.effect("lists and deletes can be scripted too", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(KpsClient.listFailedTasks())).toMatchObject({ status: 502 })
      expect(yield* Effect.flip(KpsClient.deleteAllFailedTasks())).toMatchObject({ status: 403, errorCode: "KPS.9003" })
      expect((yield* KpsClient.listRunningTasks()).total).toBe(0)
    }).pipe(Effect.provide(KpsTesting.layerClient({
      routes: {
        listFailedTasks: [KpsTesting.html(502)],
        deleteAllFailedTasks: [KpsTesting.apiError(403, { code: "KPS.9003", message: "No operation permission" })]
      }
    }))))
})

describe("KpsTesting: routing and bodies", () => {
  it.effect("records each request's body as sent, secrets included", () =>
    Effect.gen(function*() {
      yield* KpsClient.associateKeypair(associate)
      yield* KpsClient.getTask("stub-task-000001")
      const [post, get] = yield* KpsTesting.requests
      expect(JSON.parse(post.body)).toEqual({
        keypair_name: "deploy-2026",
        server: { id: "srv-1", auth: { type: "keypair", key: "-----BEGIN KEY-----" }, port: 2222 }
      })
      expect(post.headers["content-type"]).toBe("application/json")
      expect(get.body).toBe("")
    }).pipe(Effect.provide(KpsTesting.layerClient({}))))

  it.effect("answers a path of another method, or no path at all, with the gateway's 404 APIG.0101", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const cases = [
        ["POST", `${project}/failed-tasks`, "GET, DELETE"],
        ["GET", `${project}/keypairs/associate`, "POST"],
        ["PUT", `${project}/failed-tasks/t-1`, "DELETE"],
        ["DELETE", `${project}/running-tasks`, "GET"],
        ["GET", `${project}/keypairs`, undefined],
        ["POST", `${project}/keypairs/associate/extra`, undefined]
      ] as const
      for (const [method, url, allow] of cases) {
        const response = yield* client.execute(HttpClientRequest.make(method)(url))
        expect([method, url, response.status, response.headers["allow"]]).toEqual([method, url, 404, allow])
        expect(yield* response.json).toMatchObject({ error_code: "APIG.0101" })
      }
    }).pipe(Effect.provide(KpsTesting.layer({}))))

  it.effect("answers a malformed body or page with 400 APIG.0201, as the emulator does", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const post = (body: string) =>
        client.execute(
          HttpClientRequest.post(`${project}/keypairs/associate`).pipe(
            HttpClientRequest.bodyText(body, "application/json")
          )
        )
      const bodies = [
        ["", "The request body is empty: a JSON object is expected"],
        ["{", "The request body is not valid JSON"],
        ["{\"server\":{\"id\":\"srv-1\"}}", "Invalid body: keypair_name is missing"],
        ["{\"keypair_name\":\"k\",\"server\":{}}", "Invalid body: server.id is missing"],
        // The message never quotes a value: this one is a server's key.
        ["{\"keypair_name\":\"k\",\"server\":\"root-password\"}", "Invalid body: server is not as expected"]
      ] as const
      for (const [body, message] of bodies) {
        const response = yield* post(body)
        expect([body, response.status, yield* response.json]).toMatchObject([body, 400, {
          error_code: "APIG.0201",
          error_msg: message
        }])
      }
      const batch = yield* client.execute(
        HttpClientRequest.post(`${project}/keypairs/batch-associate`).pipe(
          HttpClientRequest.bodyUnsafeJson({ batch_keypairs: [] })
        )
      )
      expect(batch.status).toBe(400)
      for (const query of ["limit=0", "limit=1001", "offset=-1", "limit=x", "limit=1&limit=2"]) {
        const response = yield* client.execute(HttpClientRequest.get(`${project}/running-tasks?${query}`))
        expect([query, response.status]).toEqual([query, 400])
      }
      expect(yield* KpsTesting.started).toEqual([])
    }).pipe(Effect.provide(KpsTesting.layer({}))))
})

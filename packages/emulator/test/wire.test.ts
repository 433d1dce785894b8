import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as net from "node:net"
import { associate, emulator, get, post, projectId, send, tokenHeaders } from "./fixtures/helpers.js"

const requestIdPattern = /^[0-9a-f]{32}$/

describe("routes on the wire", () => {
  it.scoped("associate and disassociate answer 202 with a task id; the task answers with its status", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      const created = yield* associate(url, "server-1")
      expect(created.status).toBe(202)
      expect(created.json).toEqual({ task_id: expect.stringMatching(/^[0-9a-f-]{36}$/), server_id: "server-1" })
      expect(created.headers.get("x-request-id")).toMatch(requestIdPattern)

      const unbound = yield* post(`${url}/v3/${projectId}/keypairs/disassociate`, { server: { id: "server-2" } })
      expect(unbound.status).toBe(202)
      expect(unbound.json.task_id).not.toBe(created.json.task_id)

      const task = yield* get(`${url}/v3/${projectId}/tasks/${created.json.task_id}`)
      expect(task.status).toBe(200)
      expect(task.json).toEqual({ task_id: created.json.task_id, task_status: "READY_RESET", server_id: "server-1" })
      const unbind = yield* get(`${url}/v3/${projectId}/tasks/${unbound.json.task_id}`)
      expect(unbind.json.task_status).toBe("READY_UNBIND")
    }))

  it.scoped("batch associate creates one task per server, at most 10", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      const batch = (n: number) =>
        post(`${url}/v3/${projectId}/keypairs/batch-associate`, {
          batch_keypairs: Array.from({ length: n }, (_, i) => ({ keypair_name: "kp", server: { id: `s-${i}` } }))
        })
      const ten = yield* batch(10)
      expect(ten.status).toBe(202)
      expect(ten.json.tasks).toHaveLength(10)
      expect(ten.json.tasks[3]).toEqual({ task_id: expect.any(String), server_id: "s-3", status: "success" })
      expect(new Set(ten.json.tasks.map((task: { task_id: string }) => task.task_id)).size).toBe(10)

      const eleven = yield* batch(11)
      expect(eleven.status).toBe(400)
      expect(eleven.json.error_code).toBe("APIG.0201")
      expect(eleven.json.error_msg).toContain("at most 10")
      expect(eleven.headers.get("x-request-id")).toBe(eleven.json.request_id)
      const none = yield* batch(0)
      expect(none.status).toBe(400)
      const running = yield* get(`${url}/v3/${projectId}/running-tasks`)
      expect(running.json.total).toBe(10)
    }))

  it.scoped("bad JSON, a wrong body and an empty body get 400 APIG.0201", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      const target = `${url}/v3/${projectId}/keypairs/associate`
      const badJson = yield* send(target, { method: "POST", headers: tokenHeaders(), body: "{\"keypair_name\": " })
      expect([badJson.status, badJson.json.error_code]).toEqual([400, "APIG.0201"])
      expect(badJson.json.error_msg).toContain("not valid JSON")
      const wrongShape = yield* post(target, { keypair_name: "kp", server: { id: 42 } })
      expect([wrongShape.status, wrongShape.json.error_code]).toEqual([400, "APIG.0201"])
      expect(wrongShape.json.error_msg).toContain("server.id")
      const notUtf8 = yield* send(target, {
        method: "POST",
        headers: tokenHeaders(),
        body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])
      })
      expect(notUtf8.status).toBe(400)
      const empty = yield* send(target, { method: "POST", headers: tokenHeaders() })
      expect([empty.status, empty.json.error_code]).toEqual([400, "APIG.0201"])
      // Deeply nested JSON, where a field or the whole body should be: a 400 like any other.
      const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth)
      for (const body of [deep(5_000), `{"keypair_name":${deep(5_000)},"server":{"id":"s"}}`]) {
        const nested = yield* send(target, { method: "POST", headers: tokenHeaders(), body })
        expect([nested.status, nested.json.error_code]).toEqual([400, "APIG.0201"])
        expect(nested.text.length).toBeLessThan(1_000)
      }
      expect((yield* associate(url, "still-serving")).status).toBe(202)
    }))

  it.scoped("unknown routes and wrong methods get 404 APIG.0101 (the latter with Allow), with a request id", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      for (const path of ["/", "/v3", `/v3/${projectId}/tasks`, `/v3/${projectId}/keypairs/nope`, "/v2/x/tasks/y"]) {
        const answer = yield* get(`${url}${path}`)
        expect([path, answer.status, answer.json.error_code]).toEqual([path, 404, "APIG.0101"])
        expect(answer.headers.get("x-request-id")).toMatch(requestIdPattern)
      }
      const wrongMethod = yield* send(`${url}/v3/${projectId}/tasks/abc`, { method: "DELETE", headers: tokenHeaders() })
      expect([wrongMethod.status, wrongMethod.json.error_code]).toEqual([404, "APIG.0101"])
      expect(wrongMethod.headers.get("allow")).toBe("GET")
      const listMethod = yield* send(`${url}/v3/${projectId}/failed-tasks`, { method: "PUT", headers: tokenHeaders() })
      expect(listMethod.headers.get("allow")).toBe("GET, DELETE")
      const getAssociate = yield* get(`${url}/v3/${projectId}/keypairs/associate`)
      expect([getAssociate.status, getAssociate.headers.get("allow")]).toEqual([404, "POST"])
    }))

  it.scoped("malformed ids get 400; an unknown well-formed task id gets 404 KPS.0001", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      const badProject = yield* get(`${url}/v3/not-a-project/tasks/abc`)
      expect([badProject.status, badProject.json.error_code]).toEqual([400, "APIG.0201"])
      for (const taskId of ["a%20b", "%E0%A4%A", "x".repeat(65), "a.b", "%2F"]) {
        const answer = yield* get(`${url}/v3/${projectId}/tasks/${taskId}`)
        expect([taskId, answer.status, answer.json.error_code]).toEqual([taskId, 400, "KPS.0001"])
      }
      const unknown = yield* get(`${url}/v3/${projectId}/tasks/aee8d2fe-5484-4753-9177-5a38dc15546c`)
      expect([unknown.status, unknown.json.error_code]).toEqual([404, "KPS.0001"])
      // A task belongs to its project.
      const created = yield* associate(url, "s-1")
      const elsewhere = yield* get(`${url}/v3/${"f".repeat(32)}/tasks/${created.json.task_id}`)
      expect(elsewhere.status).toBe(404)
    }))

  it.scoped("an oversized body gets 413 before it is read", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ maxBodyBytes: 1024 })
      const big = JSON.stringify({
        keypair_name: "kp",
        server: { id: "s", auth: { type: "password", key: "k".repeat(4096) } }
      })
      const answer = yield* send(`${url}/v3/${projectId}/keypairs/associate`, {
        method: "POST",
        headers: tokenHeaders(),
        body: big
      })
      expect([answer.status, answer.json.error_code]).toEqual([413, "APIG.0201"])
      // A chunked body is cut off once it passes the limit.
      const chunked = yield* send(`${url}/v3/${projectId}/keypairs/associate`, {
        method: "POST",
        headers: tokenHeaders(),
        body: new Blob([big]).stream(),
        duplex: "half"
      } as RequestInit)
      expect(chunked.status).toBe(413)
      // The server still answers afterwards.
      expect((yield* associate(url, "s")).status).toBe(202)
    }))

  it.scoped("a request Node cannot parse gets a Huawei-shaped 400", () =>
    Effect.gen(function*() {
      const { port } = yield* emulator()
      const raw = yield* Effect.async<string>((resume) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.write("GARBAGE\r\n\r\n"))
        let text = ""
        socket.on("data", (chunk) => (text += chunk.toString()))
        socket.on("close", () => resume(Effect.succeed(text)))
        return Effect.sync(() => socket.destroy())
      })
      expect(raw).toMatch(/^HTTP\/1\.1 400/)
      expect(raw).toMatch(/x-request-id: [0-9a-f]{32}/)
      expect(raw).toContain("\"error_code\":\"APIG.0201\"")
    }))
})

describe("task lists", () => {
  it.scoped("running and failed tasks page with limit and offset; failed ones can be deleted", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ taskDuration: 0, failServers: ["bad-1", "bad-2", "bad-3"] })
      // With no duration, tasks end as soon as they are made.
      for (const server of ["bad-1", "good", "bad-2", "bad-3"]) expect((yield* associate(url, server)).status).toBe(202)
      const base = `${url}/v3/${projectId}`
      const running = yield* get(`${base}/running-tasks`)
      expect(running.json).toEqual({ total: 0, tasks: [] })
      const failed = yield* get(`${base}/failed-tasks?limit=2&offset=1`)
      expect(failed.status).toBe(200)
      expect(failed.json.total).toBe(3)
      expect(failed.json.tasks.map((task: { server_id: string }) => task.server_id)).toEqual(["bad-2", "bad-3"])
      expect(failed.json.tasks[0]).toEqual({
        task_id: expect.any(String),
        operate_type: "RESET",
        task_time: expect.any(Number),
        server_name: expect.any(String),
        server_id: "bad-2",
        keypair_name: "kp-1",
        task_error_code: expect.any(String),
        task_error_msg: expect.any(String)
      })
      const status = yield* get(`${base}/tasks/${failed.json.tasks[0].task_id}`)
      expect(status.json.task_status).toBe("FAILED_RESET")

      const deleteOne = yield* send(`${base}/failed-tasks/${failed.json.tasks[0].task_id}`, {
        method: "DELETE",
        headers: tokenHeaders()
      })
      expect(deleteOne.status).toBe(200)
      expect(deleteOne.headers.get("x-request-id")).toMatch(requestIdPattern)
      expect((yield* get(`${base}/failed-tasks`)).json.total).toBe(2)
      const again = yield* send(`${base}/failed-tasks/${failed.json.tasks[0].task_id}`, {
        method: "DELETE",
        headers: tokenHeaders()
      })
      expect([again.status, again.json.error_code]).toEqual([404, "KPS.0001"])

      expect((yield* send(`${base}/failed-tasks`, { method: "DELETE", headers: tokenHeaders() })).status).toBe(200)
      expect((yield* get(`${base}/failed-tasks`)).json).toEqual({ total: 0, tasks: [] })
    }))

  it.scoped("bad limit and offset get 400", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      for (const query of ["limit=0", "limit=abc", "offset=-1", "limit=1001", "limit=1&limit=2"]) {
        const answer = yield* get(`${url}/v3/${projectId}/running-tasks?${query}`)
        expect([query, answer.status, answer.json.error_code]).toEqual([query, 400, "APIG.0201"])
      }
    }))
})

import { Signer } from "@effect-kps/core"
import { KpsEmulator } from "@effect-kps/emulator"
import { describe, expect, it } from "@effect/vitest"
import { AKSKSigner } from "@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js"
import { Clock, Effect, Redacted, TestClock } from "effect"
import { associate, emulator, projectId, send } from "./fixtures/helpers.js"

const accessKeyId = "HPUAEXAMPLEAK0000001"
const secret = "exampleSecretKey0000000000000000000000001"

/**
 * Signs with the official Node SDK's signer (a client nobody here wrote), at a given date: the
 * headers to send, less `host`, which fetch sets itself to the same value.
 */
const officialHeaders = (
  method: string,
  url: string,
  options: {
    readonly sk: string
    readonly date: number
    readonly data?: object
    readonly query?: Record<string, string>
  }
): Record<string, string> => {
  const parsed = new URL(url)
  const signed = AKSKSigner.sign(
    {
      method,
      endpoint: `${parsed.origin}${decodeURIComponent(parsed.pathname)}`,
      headers: {
        "Content-Type": "application/json",
        "X-Project-Id": projectId,
        "X-Sdk-Date": Signer.formatDate(options.date)
      },
      queryParams: options.query ?? {},
      data: options.data
    } as never,
    { getAk: () => accessKeyId, getSk: () => options.sk } as never
  ) as Record<string, string>
  const { host: _host, ...headers } = signed
  return headers
}

describe("gateway authentication", () => {
  it.live("accepts requests signed by the official @huaweicloud/huaweicloud-sdk-core signer; rejects a wrong SK", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url } = yield* emulator({ accessKeys: { [accessKeyId]: Redacted.make(secret) } })
      const now = yield* Clock.currentTimeMillis
      const data = { keypair_name: "kp-1", server: { id: "server-1", auth: { type: "password", key: "p@ss" } } }
      const target = `${url}/v3/${projectId}/keypairs/associate`
      // The official signer hashes JSON.stringify(data): send exactly those bytes.
      const created = yield* send(target, {
        method: "POST",
        headers: officialHeaders("POST", target, { sk: secret, date: now, data }),
        body: JSON.stringify(data)
      })
      expect(created.status).toBe(202)

      const taskUrl = `${url}/v3/${projectId}/tasks/${created.json.task_id}`
      const task = yield* send(taskUrl, { headers: officialHeaders("GET", taskUrl, { sk: secret, date: now }) })
      expect(task.status).toBe(200)
      expect(task.json.task_status).toBe("READY_RESET")

      const listUrl = `${url}/v3/${projectId}/running-tasks?limit=5&offset=0`
      const list = yield* send(listUrl, {
        headers: officialHeaders("GET", listUrl, { sk: secret, date: now, query: { limit: "5", offset: "0" } })
      })
      expect([list.status, list.json.total]).toEqual([200, 1])

      const wrong = yield* send(taskUrl, { headers: officialHeaders("GET", taskUrl, { sk: `${secret}x`, date: now }) })
      expect(wrong.status).toBe(401)
      expect(wrong.json).toMatchObject({ error_code: "APIG.0301", error_msg: expect.stringContaining("verify aksk") })
      expect(wrong.text).not.toContain(secret)
      expect(wrong.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/)

      // A signature over one body does not cover another.
      const tampered = yield* send(target, {
        method: "POST",
        headers: officialHeaders("POST", target, { sk: secret, date: now, data }),
        body: JSON.stringify({ ...data, keypair_name: "kp-2" })
      })
      expect([tampered.status, tampered.json.error_code]).toEqual([401, "APIG.0301"])
    })))

  it.scoped("a date more than 15 minutes away from the clock is rejected", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ accessKeys: { [accessKeyId]: secret } })
      yield* TestClock.setTime(Date.UTC(2024, 0, 2, 3, 4, 5))
      const taskUrl = `${url}/v3/${projectId}/tasks/some-task`
      const at = (date: number) => send(taskUrl, { headers: officialHeaders("GET", taskUrl, { sk: secret, date }) })
      const now = yield* Clock.currentTimeMillis
      expect((yield* at(now - 14 * 60_000)).status).toBe(404)
      const stale = yield* at(now - 16 * 60_000)
      expect([stale.status, stale.json.error_code]).toEqual([401, "APIG.0301"])
      expect(stale.json.error_msg).toContain("DateOutOfRange")
      expect((yield* at(now + 16 * 60_000)).status).toBe(401)
    }))

  it.scoped("tokens: only configured ones pass; no credentials at all is 401 too", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator({ tokens: ["t-1", "t-2"] })
      const taskUrl = `${url}/v3/${projectId}/running-tasks`
      expect((yield* send(taskUrl, { headers: { "X-Auth-Token": "t-2" } })).status).toBe(200)
      const wrong = yield* send(taskUrl, { headers: { "X-Auth-Token": KpsEmulator.defaultToken } })
      expect([wrong.status, wrong.json.error_code]).toEqual([401, "APIG.0301"])
      const none = yield* send(taskUrl)
      expect([none.status, none.json.error_code]).toEqual([401, "APIG.0301"])
      expect(none.json.error_msg).toContain("x-auth-token not found")
      const garbage = yield* send(taskUrl, { headers: { Authorization: "Basic dXNlcjpwYXNz" } })
      expect([garbage.status, garbage.json.error_code]).toEqual([401, "APIG.0301"])
      // Nor does a POST without credentials create anything.
      const created = yield* send(`${url}/v3/${projectId}/keypairs/associate`, { method: "POST" })
      expect(created.status).toBe(401)
    }))

  it.scoped("the default token and the default AK/SK pair are accepted when none are configured", () =>
    Effect.gen(function*() {
      const { url } = yield* emulator()
      expect((yield* associate(url, "s-1")).status).toBe(202)
      const target = `${url}/v3/${projectId}/running-tasks`
      const signature = yield* Signer.sign(
        { method: "GET", url: new URL(target), headers: { "X-Project-Id": projectId } },
        { accessKeyId: KpsEmulator.defaultAccessKey, secretAccessKey: Redacted.make(KpsEmulator.defaultSecretKey) }
      )
      const answer = yield* send(target, { headers: { "X-Project-Id": projectId, ...signature.headers } })
      expect([answer.status, answer.json.total]).toEqual([200, 1])
    }))
})

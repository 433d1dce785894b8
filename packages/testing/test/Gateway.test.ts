import { Signer } from "@effect-kps/core"
import { Gateway } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted, TestClock } from "effect"

const accessKeyId = "HPUAEXAMPLEAK0000001"
const secret = "exampleSecretKey0000000000000000000000001"
const keys = Gateway.keys({ tokens: ["good-token"], accessKeys: { [accessKeyId]: Redacted.make(secret) } })
const url = new URL("http://127.0.0.1:8080/v3/0123456789abcdef0123456789abcdef/keypairs/associate")
const body = new TextEncoder().encode(JSON.stringify({ keypair_name: "kp", server: { id: "s-1" } }))

/** The headers of a request signed now (on the TestClock) with `sk`, over `body`. */
const signed = (sk: string, signedBody: Uint8Array, access = accessKeyId) =>
  Effect.map(
    Signer.sign(
      { method: "POST", url, headers: { "content-type": "application/json" }, body: signedBody },
      { accessKeyId: access, secretAccessKey: Redacted.make(sk) }
    ),
    (signature) => ({
      "content-type": "application/json",
      host: url.host,
      ...Object.fromEntries(Object.entries(signature.headers).map(([name, value]) => [name.toLowerCase(), value]))
    })
  )

describe("Gateway.admit: what the headers alone decide", () => {
  it.effect("a known token is admitted; an unknown one, or none, gets 401 APIG.0301", () =>
    Effect.gen(function*() {
      const admit = (headers: Record<string, string>) => Gateway.admit(keys, { method: "GET", url, headers })
      expect(yield* admit({ "x-auth-token": "good-token" })).toBe("Admitted")
      const wrong = yield* Effect.flip(admit({ "x-auth-token": "bad-token" }))
      expect(wrong).toMatchObject({ _tag: "GatewayError", status: 401, errorCode: "APIG.0301" })
      expect(wrong.errorMessage).toContain("decrypt token fail")
      const none = yield* Effect.flip(admit({}))
      expect(none.errorMessage).toContain("x-auth-token not found")
    }))

  it.effect("a well-formed, fresh signature by a known key is left to check over the body", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 0, 2, 3, 4, 5))
      // A wrong secret too: the signature itself needs the body, so the headers cannot tell.
      const headers = yield* signed(`${secret}x`, body)
      expect(yield* Gateway.admit(keys, { method: "POST", url, headers })).toBe("SignatureToCheck")
    }))

  it.effect("refuses from the headers alone a malformed, stale or unknown-key signature", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 0, 2, 3, 4, 5))
      const stale = yield* signed(secret, body)
      yield* TestClock.adjust("16 minutes")
      const unknownKey = yield* signed(secret, body, "UNKNOWNACCESSKEY0001")
      const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
        [{ authorization: "Basic dXNlcjpwYXNz" }, "MalformedAuthorization"],
        [stale, "DateOutOfRange"],
        [{ ...stale, "x-sdk-date": "yesterday" }, "MalformedDate"],
        [unknownKey, "UnknownAccessKey"]
      ]
      for (const [headers, reason] of cases) {
        const error = yield* Effect.flip(Gateway.admit(keys, { method: "POST", url, headers }))
        expect([reason, error.status, error.errorCode]).toEqual([reason, 401, "APIG.0301"])
        expect(error.errorMessage).toContain(`verify aksk signature fail (${reason})`)
      }
    }))
})

describe("Gateway.authenticate: the whole request", () => {
  it.effect("accepts a signature over the body sent; refuses one over another body or by another secret", () =>
    Effect.gen(function*() {
      const headers = yield* signed(secret, body)
      yield* Gateway.authenticate(keys, { method: "POST", url, headers, body })
      const tampered = new TextEncoder().encode(JSON.stringify({ keypair_name: "kp-2", server: { id: "s-1" } }))
      const other = yield* Effect.flip(Gateway.authenticate(keys, { method: "POST", url, headers, body: tampered }))
      expect(other.errorMessage).toContain("SignatureMismatch")
      const wrongSecret = yield* signed(`${secret}x`, body)
      const refused = yield* Effect.flip(
        Gateway.authenticate(keys, { method: "POST", url, headers: wrongSecret, body })
      )
      expect(refused).toMatchObject({ status: 401, errorCode: "APIG.0301" })
      // Nothing secret in what a client would see.
      expect(JSON.stringify(refused)).not.toContain(secret)
      expect(refused.message).not.toContain(secret)
    }))
})

describe("Gateway answers", () => {
  it("route not found: 404 APIG.0101, naming the methods that exist when there are some", () => {
    expect(Gateway.routeNotFound()).toMatchObject({ status: 404, errorCode: "APIG.0101", headers: {} })
    expect(Gateway.routeNotFound(["GET", "DELETE"])).toMatchObject({
      status: 404,
      errorCode: "APIG.0101",
      headers: { allow: "GET, DELETE" }
    })
  })

  it("an unknown task: 404 KPS.0001 naming the task", () => {
    expect(Gateway.unknownTask("t-1")).toMatchObject({
      status: 404,
      errorCode: "KPS.0001",
      errorMessage: "The task t-1 does not exist"
    })
  })

  it("decodes path segments, or says they are not valid percent-encoded UTF-8", () => {
    expect(Gateway.decodeSegment("a%20b")).toBe("a b")
    expect(Gateway.decodeSegment("%E0%A4%A")).toBeUndefined()
  })
})

describe("Gateway.pageOf: a list's limit and offset", () => {
  const page = (query: string) => Gateway.pageOf(new URLSearchParams(query))

  it("reads them, with defaults of 1000 and 0", () => {
    expect(page("limit=10&offset=20")).toEqual(Either.right({ limit: 10, offset: 20 }))
    expect(page("")).toEqual(Either.right({ limit: 1000, offset: 0 }))
    expect(page("limit=1000&offset=999999999")).toEqual(Either.right({ limit: 1000, offset: 999_999_999 }))
  })

  it("answers anything else with 400 APIG.0201, saying which", () => {
    const cases = [
      ["limit=0", "limit must be between 1 and 1000"],
      ["limit=1001", "limit must be between 1 and 1000"],
      ["limit=-1", "limit must be a whole number"],
      ["limit=1.5", "limit must be a whole number"],
      ["limit=1&limit=2", "limit must be a whole number"],
      ["offset=x", "offset must be a whole number"],
      ["offset=1000000000", "offset must be a whole number"]
    ] as const
    for (const [query, message] of cases) {
      const error = Either.getLeft(page(query))
      expect([query, error]).toMatchObject([query, { _tag: "Some", value: { status: 400, errorCode: "APIG.0201" } }])
      expect([query, error._tag === "Some" && error.value.errorMessage]).toEqual([query, message])
    }
  })
})

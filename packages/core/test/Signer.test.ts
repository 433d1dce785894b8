import { Signer } from "@effect-kps/core"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted, TestClock } from "effect"

const specKey = {
  accessKeyId: "HPUAEXAMPLEAK0000001",
  secretAccessKey: Redacted.make("exampleSecretKey0000000000000000000000001")
}
const specUrl =
  "https://kms.cn-north-4.myhuaweicloud.com/v3/0123456789abcdef0123456789abcdef/tasks/aee8d2fe-5484-4753-9177-5a38dc15546c"

describe("Signer vectors", () => {
  it.effect("matches the KPS vector verified with the official Node signer", () =>
    Effect.gen(function*() {
      const signature = yield* Signer.sign({
        method: "GET",
        url: new URL(specUrl),
        headers: {
          "Content-Type": "application/json",
          "X-Project-Id": "0123456789abcdef0123456789abcdef",
          "X-Sdk-Date": "20240102T030405Z"
        }
      }, specKey)
      expect(signature.authorization).toBe(
        "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=e4ecdfc092a67d9e73e459e50b35349ae5038d563bd25db8e0d091860067da39"
      )
      expect(signature.headers).toEqual({ Authorization: signature.authorization })
      expect(signature.canonicalRequest).toBe(
        [
          "GET",
          "/v3/0123456789abcdef0123456789abcdef/tasks/aee8d2fe-5484-4753-9177-5a38dc15546c/",
          "",
          "content-type:application/json\nhost:kms.cn-north-4.myhuaweicloud.com\nx-project-id:0123456789abcdef0123456789abcdef\nx-sdk-date:20240102T030405Z\n",
          "content-type;host;x-project-id;x-sdk-date",
          Signer.emptyBodyHash
        ].join("\n")
      )
    }))

  it.effect("matches the Go SDK unit vector", () =>
    Effect.gen(function*() {
      const signature = yield* Signer.sign(
        {
          method: "GET",
          url: new URL("https://example.huaweicloud.com/path?limit=1"),
          headers: { "X-Sdk-Date": "20060102T150405Z" }
        },
        { accessKeyId: "AccessKey", secretAccessKey: Redacted.make("SecretKey") },
        { signedHeaders: ["x-sdk-date"] }
      )
      expect(signature.signature).toBe("5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624")
      expect(signature.signedHeaders).toEqual(["x-sdk-date"])
    }))

  it.effect("reads X-Sdk-Date from the Clock when the request has none", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2024, 0, 2, 3, 4, 5))
      const signature = yield* Signer.sign({
        method: "GET",
        url: new URL(specUrl),
        headers: { "Content-Type": "application/json", "X-Project-Id": "0123456789abcdef0123456789abcdef" }
      }, specKey)
      expect(signature.sdkDate).toBe("20240102T030405Z")
      expect(signature.headers["X-Sdk-Date"]).toBe("20240102T030405Z")
      expect(signature.signature).toBe("e4ecdfc092a67d9e73e459e50b35349ae5038d563bd25db8e0d091860067da39")
    }))
})

describe("Signer canonical request", () => {
  const canonical = (url: string, headers: Record<string, string> = {}, body?: string) =>
    Effect.map(
      Signer.sign(
        { method: "post", url: new URL(url), headers: { "X-Sdk-Date": "20240102T030405Z", ...headers }, body },
        specKey
      ),
      (signature) => signature.canonicalRequest.split("\n")
    )

  it.effect("encodes path segments and appends a slash", () =>
    Effect.gen(function*() {
      const [method, uri] = yield* canonical("https://h/v3/a%20b/t%C3%A4sk/x(1)*~")
      expect(method).toBe("POST")
      expect(uri).toBe("/v3/a%20b/t%C3%A4sk/x%281%29%2A~/")
      expect((yield* canonical("https://h/already/"))[1]).toBe("/already/")
      expect((yield* canonical("https://h"))[1]).toBe("/")
    }))

  it.effect("sorts the query by key then value, repeated keys once per value", () =>
    Effect.gen(function*() {
      const [, , query] = yield* canonical("https://h/p?b=2&a=z&a=y&c=a%20b*/&empty=")
      expect(query).toBe("a=y&a=z&b=2&c=a%20b%2A%2F&empty=")
    }))

  it.effect("orders by bytes, so astral characters sort after U+FFFD", () =>
    Effect.gen(function*() {
      const [, , query] = yield* canonical(
        `https://h/p?${encodeURIComponent("😀")}=1&${encodeURIComponent("\ufffd")}=2`
      )
      expect(query).toBe("%EF%BF%BD=2&%F0%9F%98%80=1")
    }))

  it.effect("signs host with a port only when it is not the default", () =>
    Effect.gen(function*() {
      expect((yield* canonical("https://h:443/p"))[3]).toBe("host:h")
      expect((yield* canonical("http://h:80/p"))[3]).toBe("host:h")
      expect((yield* canonical("https://h:8443/p"))[3]).toBe("host:h:8443")
    }))

  it.effect("trims header values and signs only the headers the spec names", () =>
    Effect.gen(function*() {
      const lines = yield* canonical("https://h/p", {
        "content-type": "  application/json ",
        "X-Security-Token": "tok",
        "X-Other": "not signed"
      })
      expect(lines.slice(3, 7)).toEqual([
        "content-type:application/json",
        "host:h",
        "x-sdk-date:20240102T030405Z",
        "x-security-token:tok"
      ])
      expect(lines[8]).toBe("content-type;host;x-sdk-date;x-security-token")
    }))

  it.effect("hashes the exact body bytes", () =>
    Effect.gen(function*() {
      const lines = yield* canonical("https://h/p", {}, "{\"a\":1}")
      expect(lines.at(-1)).toBe("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862")
    }))
})

describe("Signer.signRequest", () => {
  it.effect("adds the date, the signature and a signed security token", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2024, 0, 2, 3, 4, 5))
      const signed = yield* Signer.signRequest(
        HttpClientRequest.get(specUrl).pipe(HttpClientRequest.setHeaders({
          "Content-Type": "application/json",
          "X-Project-Id": "0123456789abcdef0123456789abcdef"
        })),
        specKey
      )
      expect(signed.headers["x-sdk-date"]).toBe("20240102T030405Z")
      expect(signed.headers["authorization"]).toContain(
        "Signature=e4ecdfc092a67d9e73e459e50b35349ae5038d563bd25db8e0d091860067da39"
      )
      const temporary = yield* Signer.signRequest(HttpClientRequest.get(specUrl), {
        ...specKey,
        securityToken: Redacted.make("security-token")
      })
      expect(temporary.headers["x-security-token"]).toBe("security-token")
      expect(temporary.headers["authorization"]).toContain("SignedHeaders=host;x-sdk-date;x-security-token,")
    }))

  it.effect("signs a JSON body and sends streams as unsigned payload", () =>
    Effect.gen(function*() {
      const json = yield* Signer.signRequest(
        HttpClientRequest.post("https://h/p").pipe(HttpClientRequest.bodyUnsafeJson({ a: 1 })),
        specKey
      )
      const expected = yield* Signer.sign({
        method: "POST",
        url: new URL("https://h/p"),
        headers: { ...json.headers },
        body: "{\"a\":1}"
      }, specKey)
      expect(json.headers["authorization"]).toBe(expected.authorization)
      const form = yield* Signer.signRequest(
        HttpClientRequest.post("https://h/p").pipe(HttpClientRequest.bodyFormData(new FormData())),
        specKey
      )
      expect(form.headers["x-sdk-content-sha256"]).toBe("UNSIGNED-PAYLOAD")
    }))
})

describe("Signer.verify", () => {
  const secrets = (id: string) => id === specKey.accessKeyId ? specKey.secretAccessKey : undefined
  const signedRequest = Effect.gen(function*() {
    const request = {
      method: "GET",
      url: new URL(specUrl),
      headers: { "Content-Type": "application/json", "X-Project-Id": "0123456789abcdef0123456789abcdef" }
    }
    const signature = yield* Signer.sign(request, specKey)
    return { ...request, headers: { ...request.headers, ...signature.headers } }
  })

  it.effect("accepts what sign produced", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2024, 0, 2, 3, 4, 5))
      const request = yield* signedRequest
      yield* TestClock.adjust("14 minutes")
      const authorization = yield* Signer.verify(request, secrets)
      expect(authorization.accessKeyId).toBe(specKey.accessKeyId)
    }))

  it.effect("rejects tampering, unknown keys, stale dates and malformed headers", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2024, 0, 2, 3, 4, 5))
      const request = yield* signedRequest
      const reason = (candidate: Signer.Request, lookup = secrets) =>
        Effect.map(Effect.flip(Signer.verify(candidate, lookup)), (error) => error.reason)
      expect(yield* reason({ ...request, url: new URL(`${specUrl}x`) })).toBe("SignatureMismatch")
      expect(yield* reason({ ...request, headers: { ...request.headers, "X-Project-Id": "other" } })).toBe(
        "SignatureMismatch"
      )
      expect(yield* reason(request, () => Redacted.make("wrong"))).toBe("SignatureMismatch")
      expect(yield* reason(request, () => undefined)).toBe("UnknownAccessKey")
      expect(yield* reason({ ...request, headers: {} })).toBe("MissingAuthorization")
      expect(yield* reason({ ...request, headers: { ...request.headers, Authorization: "Basic abc" } })).toBe(
        "MalformedAuthorization"
      )
      expect(yield* reason({ ...request, headers: { ...request.headers, "X-Sdk-Date": "2024-01-02" } })).toBe(
        "MalformedDate"
      )
      yield* TestClock.adjust("16 minutes")
      expect(yield* reason(request)).toBe("DateOutOfRange")
    }))

  it("parses and formats dates strictly", () => {
    expect(Signer.formatDate(Date.UTC(2006, 0, 2, 15, 4, 5))).toBe("20060102T150405Z")
    expect(Signer.parseDate("20060102T150405Z")).toEqual(Option.some(Date.UTC(2006, 0, 2, 15, 4, 5)))
    expect(Signer.parseDate("20061302T150405Z")).toEqual(Option.none())
    expect(Signer.parseDate("20060102T250405Z")).toEqual(Option.none())
    expect(Signer.parseDate("20060102150405")).toEqual(Option.none())
  })
})

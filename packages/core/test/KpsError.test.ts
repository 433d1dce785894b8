import { KpsError } from "@effect-kps/core"
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"

const api = (status: number, errorCode = "KPS.0002") =>
  new KpsError.KpsApiError({ status, errorCode, errorMessage: "m" })

describe("KpsError.classify", () => {
  it("calls 429 and APIG.0308 throttled", () => {
    expect(KpsError.classify(api(429, "APIG.0308"))).toBe("throttled")
    expect(KpsError.classify(api(429, ""))).toBe("throttled")
    expect(KpsError.classify(api(400, "APIG.0308"))).toBe("throttled")
  })

  it("calls 408, 5xx gateway failures and transport errors transient", () => {
    for (const status of [408, 500, 502, 503, 504]) {
      expect(KpsError.classify(api(status)), `${status}`).toBe("transient")
    }
    for (const reason of ["Timeout", "ConnectionRefused", "ConnectionReset", "DnsLookup", "Transport"] as const) {
      expect(KpsError.classify(new KpsError.KpsTransportError({ reason, description: "d" }))).toBe("transient")
    }
  })

  it("never retries authentication, permission and client errors", () => {
    for (const status of [400, 401, 403, 404, 409, 413, 501, 505]) {
      expect(KpsError.classify(api(status)), `${status}`).toBe("terminal")
    }
    expect(KpsError.classify(api(401, "APIG.0301"))).toBe("terminal")
    expect(KpsError.classify(new KpsError.KpsDecodeError({ status: 200, description: "d" }))).toBe("terminal")
    expect(KpsError.classify(new KpsError.KpsInvalidInput({ field: "taskId", description: "d" }))).toBe("terminal")
  })
})

describe("KpsError messages", () => {
  it("reads well and carries the request id", () => {
    const error = new KpsError.KpsApiError({
      status: 400,
      errorCode: "KPS.0001",
      errorMessage: "taskId is illegal",
      requestId: "req-1"
    })
    expect(error.message).toBe("KPS answered HTTP 400 KPS.0001: taskId is illegal (request id req-1)")
    expect(String(error)).toContain("KPS.0001")
    expect(new KpsError.KpsDecodeError({ status: 200, description: "the body is empty", requestId: "r" }).message)
      .toBe("KPS answered HTTP 200 with an unreadable body: the body is empty (request id r)")
    expect(new KpsError.KpsTransportError({ reason: "Timeout", description: "no answer within 30s" }).message)
      .toBe("KPS request got no answer (Timeout): no answer within 30s")
    expect(new KpsError.KpsInvalidInput({ field: "taskId", description: "must not be empty" }).message)
      .toBe("Invalid taskId: must not be empty")
  })

  it("round-trips through the union schema", () => {
    const error = new KpsError.KpsApiError({ status: 503, errorCode: "X", errorMessage: "down", requestId: "r" })
    const encoded = Schema.encodeSync(KpsError.KpsError)(error)
    const decoded = Schema.decodeUnknownSync(KpsError.KpsError)(encoded)
    expect(decoded).toBeInstanceOf(KpsError.KpsApiError)
    expect(decoded).toEqual(error)
    expect(KpsError.isKpsError(decoded)).toBe(true)
    expect(KpsError.isKpsError(new Error("x"))).toBe(false)
  })

  it("reads an error answer as the client does: every body shape, the header's request id first", () => {
    expect(KpsError.fromErrorAnswer({
      status: 429,
      body: `{"error":{"error_code":"APIG.0308","error_msg":"over ratelimit","request_id":"in-body"}}`,
      retryAfter: "3"
    })).toMatchObject({ status: 429, errorCode: "APIG.0308", requestId: "in-body", retryAfter: "3" })
    expect(KpsError.fromErrorAnswer({ status: 400, body: `{"code":"KPS.0001","message":"bad"}`, requestId: "hdr" }))
      .toMatchObject({ errorCode: "KPS.0001", errorMessage: "bad", requestId: "hdr" })
    expect(KpsError.fromErrorAnswer({ status: 502, body: "<html>Bad gateway</html>" }))
      .toMatchObject({ errorCode: "", errorMessage: "<html>Bad gateway</html>" })
  })
})

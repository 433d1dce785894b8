import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import * as ErrorBody from "../src/internal/errorBody.js"

const utf8Length = (text: string) => new TextEncoder().encode(text).length

describe("error bodies", () => {
  it("reads flat, nested and code/message shapes", () => {
    expect(ErrorBody.parse("{\"error_code\":\"KPS.0002\",\"error_msg\":\"parameter error\"}")).toEqual({
      errorCode: "KPS.0002",
      errorMessage: "parameter error",
      requestId: undefined
    })
    expect(ErrorBody.parse("{\"error\":{\"error_code\":\"APIG.0301\",\"error_msg\":\"m\",\"request_id\":\"r\"}}"))
      .toEqual({ errorCode: "APIG.0301", errorMessage: "m", requestId: "r" })
    expect(ErrorBody.parse("{\"code\":400,\"message\":\"bad\"}")).toEqual({
      errorCode: "400",
      errorMessage: "bad",
      requestId: undefined
    })
    expect(ErrorBody.parse("{\"error\":\"plain words\"}")).toMatchObject({ errorCode: "", errorMessage: "plain words" })
  })

  it("keeps other bodies as raw text, unchanged when short", () => {
    expect(ErrorBody.parse("<html>Bad Gateway</html>\n")).toEqual({
      errorCode: "",
      errorMessage: "<html>Bad Gateway</html>\n",
      requestId: undefined
    })
    expect(ErrorBody.parse("{\"unrelated\":true}").errorMessage).toBe("{\"unrelated\":true}")
    expect(ErrorBody.parse("").errorMessage).toBe("")
  })

  it("keeps exactly the first 1 KiB of a long ASCII body", () => {
    const body = "<html>" + "x".repeat(4000)
    expect(ErrorBody.parse(body).errorMessage).toBe(body.slice(0, 1024))
  })

  it.prop("never keeps more than 1 KiB, and never splits a character", [
    FastCheck.string({ unit: "grapheme", maxLength: 2000 })
  ], ([body]) => {
    const kept = ErrorBody.parse(`<p>${body}`).errorMessage
    expect(utf8Length(kept)).toBeLessThanOrEqual(1024)
    expect(`<p>${body}`.startsWith(kept)).toBe(true)
    if (utf8Length(`<p>${body}`) > 1024) expect(utf8Length(kept)).toBeGreaterThan(1020)
  })
})

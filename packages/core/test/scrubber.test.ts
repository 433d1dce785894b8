import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import * as Scrubber from "../src/internal/scrubber.js"

const utf8Length = (text: string) => new TextEncoder().encode(text).length

const holdsPieceOf = (text: string, secret: string) => {
  for (let start = 0; start + Scrubber.pieceLength <= secret.length; start++) {
    if (text.includes(secret.slice(start, start + Scrubber.pieceLength))) return true
  }
  return false
}

const secret = FastCheck.string({ minLength: 16, maxLength: 300, unit: "grapheme-ascii" }).filter((s) =>
  new Set(s).size > 8
)

describe("Scrubber", () => {
  it("leaves text without secrets as it is", () => {
    const scrub = Scrubber.make(["MIIsecret-token-value-0123456789"])
    expect(scrub("KPS.0001 taskId is illegal")).toBe("KPS.0001 taskId is illegal")
    expect(Scrubber.none("anything")).toBe("anything")
  })

  it("removes whole secrets, and runs of 12 characters of one", () => {
    const token = "MIIsecret-token-value-0123456789"
    const scrub = Scrubber.make([token])
    expect(scrub(`a ${token} b`)).toBe("a <redacted> b")
    expect(scrub(`cut: ${token.slice(0, 20)}`)).toBe("cut: <redacted>")
    expect(scrub(`inner ${token.slice(5, 17)} end`)).toBe("inner <redacted> end")
    // Less than a piece is not recognisable as the secret.
    expect(scrub(`short ${token.slice(0, 11)}`)).toBe(`short ${token.slice(0, 11)}`)
  })

  it.prop("no piece of a secret survives, wherever and however often it is echoed", [
    secret,
    FastCheck.array(FastCheck.tuple(FastCheck.nat(300), FastCheck.nat(300), FastCheck.string({ maxLength: 20 })), {
      maxLength: 6
    })
  ], ([secret, echoes]) => {
    const text = echoes.map(([from, to, filler]) => `${filler}${secret.slice(Math.min(from, to), Math.max(from, to))}`)
      .join("")
    expect(holdsPieceOf(Scrubber.make([secret])(text), secret)).toBe(false)
  })

  it.prop("keep: at most the limit, scrubbed before and after the cut", [
    secret,
    FastCheck.nat(2000),
    FastCheck.integer({ min: 1, max: 1024 })
  ], ([secret, at, limit]) => {
    const text = `${"é".repeat(at)}${secret}${"x".repeat(200)}`
    const kept = Scrubber.keep(Scrubber.make([secret]), text, limit)
    expect(utf8Length(kept)).toBeLessThanOrEqual(limit)
    expect(holdsPieceOf(kept, secret)).toBe(false)
  })

  it("leaves its own markers alone: a short secret does not eat into them when scrubbed again", () => {
    const scrub = Scrubber.make(["t"])
    expect(scrub("Transport error: t")).toBe("Transpor<redacted> error: <redacted>")
    expect(scrub(scrub("Transport error: t"))).toBe("Transpor<redacted> error: <redacted>")
    const both = Scrubber.combine(Scrubber.make(["e"]), Scrubber.make(["d"]))
    expect(both("a <redacted> marker, then d and e")).toBe(
      "a <redacted> mark<redacted>r, th<redacted>n <redacted> an<redacted> <redacted>"
    )
  })

  it.prop("scrubbing is idempotent", [secret, FastCheck.string({ maxLength: 400 })], ([secret, filler]) => {
    const scrub = Scrubber.make([secret, secret.slice(0, 3)])
    const once = scrub(`${filler}${secret}${filler}`)
    expect(scrub(once)).toBe(once)
  })
})

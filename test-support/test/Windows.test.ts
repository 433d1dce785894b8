import { busiest } from "@effect-kps/test-support/Windows"
import { describe, expect, it } from "@effect/vitest"

describe("Windows.busiest", () => {
  it("counts the most events in any one window, its end excluded", () => {
    expect(busiest([])).toBe(0)
    expect(busiest([1_500, 0, 999, 100, 1_000])).toBe(3)
    expect(busiest([0, 1_000, 2_000])).toBe(1)
    expect(busiest([0, 10, 20, 30], 15)).toBe(2)
  })
})

import { KpsRegion } from "@effect-kps/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

describe("KpsRegion", () => {
  it("knows the 30 regions of the Go SDK table", () => {
    expect(KpsRegion.regions).toHaveLength(30)
    expect(new Set(KpsRegion.regions).size).toBe(30)
    expect(KpsRegion.isRegionId("ap-southeast-1")).toBe(true)
    expect(KpsRegion.isRegionId("us-east-1")).toBe(false)
  })

  it.effect("maps every region to its kms host", () =>
    Effect.gen(function*() {
      for (const region of KpsRegion.regions) {
        expect(yield* KpsRegion.endpoint(region)).toBe(`https://kms.${region}.myhuaweicloud.com`)
      }
    }))

  it.effect("fails for an unknown region, listing the known ones", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsRegion.endpoint("mars-north-1"))
      expect(error._tag).toBe("KpsInvalidInput")
      expect(error.field).toBe("region")
      expect(error.message).toContain("mars-north-1")
      for (const region of KpsRegion.regions) expect(error.message).toContain(region)
    }))
})

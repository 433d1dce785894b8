/**
 * The regions KPS runs in, and their endpoints.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { KpsInvalidInput } from "./KpsError.js"

/**
 * The region ids KPS is served in (the newest Go SDK table).
 *
 * @since 0.1.0
 * @category constants
 */
export const regions = [
  "cn-north-4",
  "cn-north-1",
  "cn-north-2",
  "cn-north-9",
  "cn-east-2",
  "cn-east-3",
  "cn-south-1",
  "cn-southwest-2",
  "ap-southeast-1",
  "ap-southeast-3",
  "ap-southeast-4",
  "la-south-2",
  "sa-brazil-1",
  "la-north-2",
  "ap-southeast-2",
  "na-mexico-1",
  "af-south-1",
  "cn-south-4",
  "cn-south-2",
  "me-east-1",
  "tr-west-1",
  "my-kualalumpur-1",
  "ru-moscow-1",
  "cn-east-5",
  "cn-east-4",
  "ap-southeast-5",
  "cn-north-12",
  "cn-north-11",
  "af-north-1",
  "cn-southwest-3"
] as const

/**
 * A known region id.
 *
 * @since 0.1.0
 * @category models
 */
export type RegionId = typeof regions[number]

/**
 * The known region ids as a `Schema`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegionId: Schema.Literal<typeof regions> = /* @__PURE__ */ Schema.Literal(...regions)

/**
 * Whether a string is a known region id.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isRegionId = (u: unknown): u is RegionId => (regions as ReadonlyArray<unknown>).includes(u)

/**
 * The KPS endpoint of a region: KPS shares the KMS host, `https://kms.{region}.myhuaweicloud.com`.
 * Fails with {@link KpsInvalidInput} for an unknown region, listing the known ones.
 *
 * @example
 * ```ts
 * import { KpsRegion } from "@effect-kps/core"
 * import { Effect } from "effect"
 *
 * Effect.runSync(KpsRegion.endpoint("cn-north-4"))
 * // "https://kms.cn-north-4.myhuaweicloud.com"
 * ```
 *
 * @since 0.1.0
 * @category endpoints
 */
export const endpoint = (regionId: string): Effect.Effect<string, KpsInvalidInput> => endpointOf("kms", regionId)

/**
 * The IAM endpoint of a region, `https://iam.{region}.myhuaweicloud.com`, where a project id is
 * looked up for access key credentials that name none.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const iamEndpoint = (regionId: string): Effect.Effect<string, KpsInvalidInput> => endpointOf("iam", regionId)

const endpointOf = (service: string, regionId: string): Effect.Effect<string, KpsInvalidInput> =>
  isRegionId(regionId)
    ? Effect.succeed(`https://${service}.${regionId}.myhuaweicloud.com`)
    : Effect.fail(
      new KpsInvalidInput({
        field: "region",
        description: `unknown region ${JSON.stringify(String(regionId).slice(0, 64))}; known regions: ${
          regions.join(", ")
        }`
      })
    )

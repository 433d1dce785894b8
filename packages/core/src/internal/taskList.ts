/** The running and failed task lists: pages checked before sending, and read from the wire. */
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { KpsInvalidInput } from "../KpsError.js"
import { FailedTask, pageLimits, type PageRequest, RunningTask } from "../TaskList.js"
import * as ErrorBody from "./errorBody.js"
import type * as Scrubber from "./scrubber.js"

/** A page request with its defaults, or what is wrong with it. */
export const checkPage = (
  page: PageRequest | undefined
): KpsInvalidInput | { readonly limit: number; readonly offset: number } => {
  const limit = page?.limit ?? pageLimits.default
  const offset = page?.offset ?? 0
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > pageLimits.max) {
    return new KpsInvalidInput({ field: "limit", description: `must be a whole number from 1 to ${pageLimits.max}` })
  }
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    return new KpsInvalidInput({ field: "offset", description: "must be a whole number, 0 or more" })
  }
  return { limit, offset }
}

/** A page as read: `total` is absent when KPS did not say. */
export interface WirePage<A> {
  readonly total: number | undefined
  readonly tasks: ReadonlyArray<A>
}

const Total = /* @__PURE__ */ Schema.optional(Schema.NullOr(Schema.NonNegativeInt))

const pageDecoder = <A, I>(task: Schema.Schema<A, I>) =>
  Schema.decodeUnknown(Schema.Struct({ total: Total, tasks: Schema.Array(task) }), { onExcessProperty: "ignore" })

const decodeRunning = /* @__PURE__ */ pageDecoder(RunningTask)
const decodeFailed = /* @__PURE__ */ pageDecoder(FailedTask)

/** A listed task's texts, each bounded and scrubbed before it is decoded: any of them may echo a secret. */
const scrubbed = (json: unknown, scrub: Scrubber.Scrubber): unknown => {
  if (typeof json !== "object" || json === null || !Array.isArray((json as { tasks?: unknown }).tasks)) return json
  const tasks = (json as { tasks: Array<unknown> }).tasks.map((task) => {
    if (typeof task !== "object" || task === null || Array.isArray(task)) return task
    const clean: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(task)) {
      clean[key] = typeof value === "string" ? ErrorBody.keep(scrub, value, ErrorBody.limits.errorMessage) : value
    }
    return clean
  })
  return { ...json, tasks }
}

const read = <A>(
  decode: (
    json: unknown
  ) => Effect.Effect<
    { readonly total?: number | null | undefined; readonly tasks: ReadonlyArray<A> },
    ParseResult.ParseError
  >
) =>
(json: unknown, scrub: Scrubber.Scrubber): Effect.Effect<WirePage<A>, ParseResult.ParseError> =>
  Effect.map(decode(scrubbed(json, scrub)), (page) => ({ total: page.total ?? undefined, tasks: page.tasks }))

export const readRunning = /* @__PURE__ */ read(decodeRunning)
export const readFailed = /* @__PURE__ */ read(decodeFailed)

/** The shapes of requests: path parameters and bodies; and decoding them into 400s. */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ApiError from "./apiError.js"

/** The batch limit of `batch-associate`. */
export const maxBatchSize = 10

const projectIdPattern = /^[0-9a-fA-F]{32}$/
const taskIdPattern = /^[A-Za-z0-9_-]{1,64}$/

/** A project id: 32 hex characters, as Huawei issues them. */
export const isProjectId = (value: string): boolean => projectIdPattern.test(value)

/** A task id: 1 to 64 letters, digits, `-` or `_` (a UUID, as the emulator issues them). */
export const isTaskId = (value: string): boolean => taskIdPattern.test(value)

const Name = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64))

const ServerId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, { message: () => "server.id must be 1 to 64 letters, digits, - or _" })
)

const Auth = Schema.Struct({
  type: Schema.Literal("password", "keypair"),
  key: Schema.String.pipe(Schema.maxLength(8192))
})

const Server = Schema.Struct({
  id: ServerId,
  auth: Schema.optional(Auth),
  disable_password: Schema.optional(Schema.Boolean),
  port: Schema.optional(Schema.Int.pipe(Schema.between(1, 65535)))
})

/** `POST /v3/{project_id}/keypairs/associate` */
export const Associate = Schema.Struct({ keypair_name: Name, server: Server })

/** `POST /v3/{project_id}/keypairs/disassociate` */
export const Disassociate = Schema.Struct({ server: Server })

/** `POST /v3/{project_id}/keypairs/batch-associate` */
export const BatchAssociate = Schema.Struct({
  batch_keypairs: Schema.Array(Associate).pipe(
    Schema.minItems(1, { message: () => "batch_keypairs must name at least one server" }),
    Schema.maxItems(maxBatchSize, { message: () => `batch_keypairs must name at most ${maxBatchSize} servers` })
  )
})

const decoder = /* @__PURE__ */ new TextDecoder("utf-8", { fatal: true })

/** Deeper than any request body of the API, and shallow enough for any formatter to walk. */
const maxDepth = 32

/** Whether a parsed value nests deeper than {@link maxDepth}: a walk with a stack, not recursion. */
const nestsTooDeep = (json: unknown): boolean => {
  const pending: Array<readonly [unknown, number]> = [[json, 1]]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next
    if (typeof value !== "object" || value === null) continue
    if (depth > maxDepth) return true
    for (const child of Object.values(value)) pending.push([child, depth + 1])
  }
  return false
}

/** The body as JSON, or the 400 it gets. */
const parseJson = (body: Uint8Array): Effect.Effect<unknown, ApiError.ApiError> =>
  body.length === 0
    ? Effect.fail(ApiError.badRequest("The request body is empty: a JSON object is expected"))
    : Effect.try({
      try: () => JSON.parse(decoder.decode(body)) as unknown,
      catch: () => ApiError.badRequest("The request body is not valid JSON")
    }).pipe(Effect.filterOrFail(
      (json) => !nestsTooDeep(json),
      () => ApiError.badRequest(`The request body nests more than ${maxDepth} levels deep`)
    ))

/** A body decoded with a request schema, or the 400 that says, in one line, what is wrong with it. */
export const decodeBody = <A, I>(schema: Schema.Schema<A, I>, body: Uint8Array): Effect.Effect<A, ApiError.ApiError> =>
  Effect.flatMap(
    parseJson(body),
    (json) =>
      Schema.decodeUnknown(schema, { errors: "first", onExcessProperty: "ignore" })(json).pipe(
        Effect.mapError((error) =>
          ApiError.badRequest(
            // A message quotes the value at fault, which may be as long as the body: cut it short.
            `Invalid body: ${
              ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
                issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`
              ).join("; ")
            }`.slice(0, 512)
          )
        )
      )
  )

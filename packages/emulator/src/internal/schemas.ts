import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

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

/** Decodes a parsed body, or says what is wrong with it in one line. */
export const decode = <A, I>(schema: Schema.Schema<A, I>, body: unknown): Either.Either<A, string> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })(body),
    (error) =>
      ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
        issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`
      ).join("; ")
  )

/** `limit` and `offset` of a list: whole numbers, `limit` 1 to 1000 (default 1000), `offset` ≥ 0. */
export const pageOf = (
  params: URLSearchParams
): Either.Either<{ readonly limit: number; readonly offset: number }, string> => {
  const read = (name: string, fallback: number, min: number, max: number): Either.Either<number, string> => {
    const values = params.getAll(name)
    if (values.length === 0) return Either.right(fallback)
    if (values.length > 1 || !/^\d{1,9}$/.test(values[0])) return Either.left(`${name} must be a whole number`)
    const value = Number(values[0])
    return value < min || value > max ? Either.left(`${name} must be between ${min} and ${max}`) : Either.right(value)
  }
  return Either.flatMap(
    read("limit", 1000, 1, 1000),
    (limit) => Either.map(read("offset", 0, 0, 999_999_999), (offset) => ({ limit, offset }))
  )
}

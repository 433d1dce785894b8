/** What the stub reads of a request: its body (as bytes, as text, as an associate request) and its page. */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Gateway from "../Gateway.js"

const encoder = /* @__PURE__ */ new TextEncoder()
const decoder = /* @__PURE__ */ new TextDecoder()

/**
 * A body's bytes, as they go on the wire: bytes or text as they are (what `KpsClient` sends is
 * bytes), `undefined` for no body. A form or a stream, which the stub does not read, counts as none.
 */
export const bytesOf = (body: HttpBody.HttpBody): Uint8Array | undefined => {
  switch (body._tag) {
    case "Uint8Array":
      return body.body
    case "Raw":
      return typeof body.body === "string"
        ? encoder.encode(body.body)
        : body.body instanceof Uint8Array
        ? body.body
        : undefined
    default:
      return undefined
  }
}

/** The body as text, `""` without one. */
export const textOf = (bytes: Uint8Array | undefined): string => bytes === undefined ? "" : decoder.decode(bytes)

/** A request the gateway refuses as malformed: 400 `APIG.0201`, as the emulator answers it. */
export const badRequest = (message: string): Gateway.GatewayError =>
  new Gateway.GatewayError({ status: 400, errorCode: "APIG.0201", errorMessage: message, headers: {} })

const Server = Schema.Struct({ id: Schema.String.pipe(Schema.minLength(1)) })
const Associate = Schema.Struct({ keypair_name: Schema.String.pipe(Schema.minLength(1)), server: Server })

/** The bodies of the routes that start tasks, as far as the stub reads them. */
export const bodies = {
  associateKeypair: Associate,
  disassociateKeypair: Schema.Struct({ server: Server }),
  batchAssociateKeypairs: Schema.Struct({
    batch_keypairs: Schema.Array(Associate).pipe(Schema.minItems(1), Schema.maxItems(10))
  })
} as const

/** A JSON body decoded with one of {@link bodies}, or the 400 it gets. */
export const decodeBody = <A, I>(
  schema: Schema.Schema<A, I>,
  bytes: Uint8Array | undefined
): Either.Either<A, Gateway.GatewayError> => {
  const text = textOf(bytes)
  if (text === "") return Either.left(badRequest("The request body is empty: a JSON object is expected"))
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(badRequest("The request body is not valid JSON"))
  }
  return Either.mapLeft(
    Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })(json),
    (error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const where = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `
      return badRequest(`Invalid body: ${where}${issue?.message ?? "unexpected shape"}`.slice(0, 512))
    }
  )
}

const pageParameter = (
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number
): number | Gateway.GatewayError => {
  const values = params.getAll(name)
  if (values.length === 0) return fallback
  if (values.length > 1 || !/^\d{1,9}$/.test(values[0])) return badRequest(`${name} must be a whole number`)
  const value = Number(values[0])
  return value < min || value > max ? badRequest(`${name} must be between ${min} and ${max}`) : value
}

/** `limit` (1 to 1000, default 1000) and `offset` (0 or more) of a list, or the 400 they get, as the emulator reads them. */
export const pageOf = (
  params: URLSearchParams
): { readonly limit: number; readonly offset: number } | Gateway.GatewayError => {
  const limit = pageParameter(params, "limit", 1000, 1, 1000)
  if (typeof limit !== "number") return limit
  const offset = pageParameter(params, "offset", 0, 0, 999_999_999)
  if (typeof offset !== "number") return offset
  return { limit, offset }
}

/** What the stub reads of a request's body: its bytes, its text, and the request that starts tasks. */
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
  if (text === "") return Either.left(Gateway.badRequest("The request body is empty: a JSON object is expected"))
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(Gateway.badRequest("The request body is not valid JSON"))
  }
  return Either.mapLeft(
    Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })(json),
    (error) => {
      // Where, and what kind of problem: never the value, which may be a server's key.
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const where = issue === undefined || issue.path.length === 0 ? "the body" : issue.path.join(".")
      const what = issue?._tag === "Missing" ? "is missing" : "is not as expected"
      return Gateway.badRequest(`Invalid body: ${where} ${what}`.slice(0, 512))
    }
  )
}

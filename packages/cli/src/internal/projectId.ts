import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const example = "0123456789abcdef0123456789abcdef"

const preview = (text: string): string => JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)

/**
 * A project id as Huawei issues them: 32 hex characters. The gateway refuses anything else, so a
 * malformed one is a usage error found before sending, not an API error after a round trip.
 */
export const ProjectId: Schema.Schema<string> = /* @__PURE__ */ Schema.String.pipe(
  Schema.pattern(/^[0-9a-fA-F]{32}$/, {
    message: (issue) =>
      `${preview(String(issue.actual))} is not a project id: write its 32 hex characters, such as ${example}`
  })
)

const decode = /* @__PURE__ */ Schema.decodeEither(ProjectId)

/** The project id, or a sentence saying what is wrong with it. */
export const check = (text: string): Either.Either<string, string> =>
  Either.mapLeft(decode(text), ParseResult.TreeFormatter.formatErrorSync)

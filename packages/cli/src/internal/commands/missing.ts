import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"

/**
 * What a command that only groups others does when run alone (`kps-task`, `kps-task tasks`): a
 * usage error saying which subcommands there are.
 */
export const subcommand = (
  path: string,
  names: ReadonlyArray<string>
): Effect.Effect<never, ValidationError.ValidationError> =>
  Effect.fail(
    ValidationError.missingSubcommand(
      HelpDoc.p(`missing command: give one of ${names.join(", ")} (see ${path} --help)`)
    )
  )

import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/**
 * What a command that only groups others does when run alone (`kps-task`, `kps-task tasks`):
 * says which subcommands there are, and fails with a usage error.
 */
export const subcommand = (
  path: string,
  names: ReadonlyArray<string>
): Effect.Effect<never, ValidationError.ValidationError> => {
  const message = `missing command: give one of ${names.join(", ")} (see ${path} --help)`
  return Effect.zipRight(
    Console.error(`kps-task: ${message}`),
    Effect.fail(ValidationError.missingSubcommand(HelpDoc.p(message)))
  )
}

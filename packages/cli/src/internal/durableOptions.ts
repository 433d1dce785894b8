import * as Options from "@effect/cli/Options"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/** `--postgres URL`: the fleet's database. Redacted: its URL may hold a password. */
export const postgresOption = (description: string): Options.Options<Option.Option<Redacted.Redacted>> =>
  Options.redacted("postgres").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(description),
    Options.optional
  )

import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import * as DurationText from "./duration.js"

/** An option whose value is a duration: `300ms`, `5s`, `2m`, `1h`. */
export const duration = (name: string): Options.Options<Duration.Duration> =>
  Options.text(name).pipe(
    Options.withPseudoName("DURATION"),
    Options.mapEffect((text) =>
      Either.match(DurationText.parse(text), {
        onLeft: (message) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${name}: ${message}`))),
        onRight: Effect.succeed
      })
    )
  )

/** `--json`: machine-readable output. */
export const json: Options.Options<boolean> = /* @__PURE__ */ Options.boolean("json").pipe(
  Options.withDescription("Print JSON (for wait: one JSON object per line, per status change)")
)

/** An option that may be left out, with its placeholder and description for `--help`. */
export const optional = <A>(
  option: Options.Options<A>,
  pseudoName: string,
  description: string
): Options.Options<Option.Option<A>> =>
  option.pipe(Options.withPseudoName(pseudoName), Options.withDescription(description), Options.optional)

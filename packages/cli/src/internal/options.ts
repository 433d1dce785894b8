import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import * as DurationText from "./duration.js"
import * as ProjectId from "./projectId.js"

/** A text option read by `parse`: a value it refuses is a usage error, `--name: what is wrong`. */
const parsed = <A>(name: string, parse: (text: string) => Either.Either<A, string>): Options.Options<A> =>
  Options.text(name).pipe(
    Options.mapEffect((text) =>
      Either.match(parse(text), {
        onLeft: (problem) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${name}: ${problem}`))),
        onRight: Effect.succeed
      })
    )
  )

/**
 * An option whose value is a duration: `300ms`, `5s`, `2m`, `1h`; longer than zero unless
 * `allowZero` says zero means something.
 */
export const duration = (
  name: string,
  options?: { readonly allowZero?: boolean | undefined }
): Options.Options<Duration.Duration> =>
  parsed(name, (text) => DurationText.parse(text, options)).pipe(Options.withPseudoName("DURATION"))

/** `--project-id`: 32 hex characters. */
export const projectId: Options.Options<string> = /* @__PURE__ */ parsed("project-id", ProjectId.check)

/** `--json`: machine-readable output, as `description` says. */
export const json = (description: string): Options.Options<boolean> =>
  Options.boolean("json").pipe(Options.withDescription(description))

/** `--timeout` and `--interval`: how long and how often a wait polls. */
export interface WaitTiming {
  readonly timeout: Option.Option<Duration.Duration>
  readonly interval: Option.Option<Duration.Duration>
}

/** The options of a wait: `wait`'s, and those of the commands that can `--wait`. */
export const waitTiming: Options.Options<WaitTiming> = /* @__PURE__ */ Options.all({
  timeout: duration("timeout").pipe(
    Options.withDescription("Give up waiting after this long, exit code 2 (default 30m)"),
    Options.optional
  ),
  interval: duration("interval").pipe(
    Options.withDescription(
      "Poll at this fixed interval (default: at once, then backing off from 1s to 15s with jitter)"
    ),
    Options.optional
  )
})

/** An option that may be left out, with its placeholder and description for `--help`. */
export const optional = <A>(
  option: Options.Options<A>,
  pseudoName: string,
  description: string
): Options.Options<Option.Option<A>> =>
  option.pipe(Options.withPseudoName(pseudoName), Options.withDescription(description), Options.optional)

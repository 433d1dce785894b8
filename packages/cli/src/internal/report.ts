import type * as KeypairTask from "@effect-kps/core/KeypairTask"
import { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Doc from "@effect/printer/Doc"
import * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ExitCode from "../ExitCode.js"
import { safe } from "./render.js"
import type * as Watch from "./watch.js"
import * as Wording from "./wording.js"

const configMessages = (error: ConfigError.ConfigError): ReadonlyArray<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...configMessages(error.left), ...configMessages(error.right)]
    default:
      // The messages name the variables (never their values).
      return [error.message]
  }
}

/** A usage error of `@effect/cli` as plain text, its paragraphs (one per problem) joined by `; `. */
const usageText = (error: ValidationError.ValidationError): string =>
  Doc.render(HelpDoc.toAnsiDoc(error.error), { style: "pretty" })
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== "")
    .join("; ")

/**
 * One readable line for a failure: its `message` (every effect-kps error has one, with the request
 * id when the server gave one), never a stack trace; an input named as the command line sets it
 * (`--project-id`, not `projectId`). Secrets cannot appear: they are `Redacted` everywhere they
 * travel.
 */
export const describe = (error: unknown): string => {
  const text = ConfigError.isConfigError(error)
    ? `configuration: ${[...new Set(configMessages(error))].join("; ")}`
    : ValidationError.isValidationError(error)
    ? usageText(error)
    : error instanceof KpsInvalidInput
    ? Wording.invalidInput(error)
    : error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
    ? String((error as { readonly message: unknown }).message)
    : String(error)
  return safe(text.replace(/\s*\n\s*/g, " ")).trim()
}

/** A failure already printed on stderr: the command ends with its exit code, printing nothing more. */
export class Reported extends /* @__PURE__ */ Data.TaggedError("Reported")<{ readonly code: ExitCode.ExitCode }> {}

/**
 * Ends a command's failure: prints it as one line on stderr, prefixed `kps-task:` (`@effect/cli`'s
 * usage errors too, which it does not print itself; a {@link Reported} failure was printed by the
 * command) and answers its exit code. Defects are reported the same way.
 */
export const exitCode = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<ExitCode.ExitCode, never, R> =>
  effect.pipe(
    Effect.as(ExitCode.success),
    Effect.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
      const error = Cause.squash(cause)
      if (error instanceof Reported) return Effect.succeed(error.code)
      return Effect.as(Console.error(`kps-task: ${describe(error)}`), ExitCode.fromError(error))
    })
  )

/**
 * The end of one or more waits: the tasks, when every one succeeded; otherwise each wait that did
 * not succeed is printed as one line on stderr, in the order given, and the command fails with the
 * worst exit code of them (`ExitCode.worst`).
 */
export const settle = (
  outcomes: ReadonlyArray<Watch.Outcome>
): Effect.Effect<ReadonlyArray<KeypairTask.KeypairTask>, Reported> => {
  const [failures, tasks] = Arr.partitionMap(outcomes, (outcome) => outcome.result)
  return failures.length === 0
    ? Effect.succeed(tasks)
    : Effect.zipRight(
      Effect.forEach(failures, (error) => Console.error(`kps-task: ${describe(error)}`), { discard: true }),
      Effect.fail(new Reported({ code: ExitCode.worst(failures.map(ExitCode.fromError)) }))
    )
}

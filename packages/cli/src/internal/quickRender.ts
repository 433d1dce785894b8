/**
 * Renders the texts of `Quick` with the program itself, when the executable is built.
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Terminal from "@effect/platform/Terminal"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Program from "./program.js"
import * as Quick from "./quick.js"
import * as Signals from "./signals.js"

/** Runs the program with `args`, stdout coloured or not: what it printed on stdout, and its exit code. */
const printed = (
  args: ReadonlyArray<string>,
  isColored: boolean
): Effect.Effect<{ readonly stdout: string; readonly code: number }, never, CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const console = yield* Console.consoleWith(Effect.succeed)
    const lines: Array<string> = []
    const capture: Console.Console = {
      ...console,
      log: (...parts) => Effect.sync(() => lines.push(`${parts.join(" ")}\n`))
    }
    const terminal = yield* Terminal.Terminal
    const code = yield* Program.run(["node", "kps-task", ...args]).pipe(
      Effect.provideService(Signals.StopIsNormal, yield* Ref.make(false)),
      Effect.provideService(Terminal.Terminal, { ...terminal, isTTY: Effect.succeed(isColored) }),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
      Console.withConsole(capture)
    )
    return { stdout: lines.join(""), code }
  })

/**
 * Renders `Quick.Texts` by running the program on each of `Quick.commandLines`; fails if the
 * program does not exit 0 for one.
 */
export const render: Effect.Effect<Quick.Texts, Error, CliApp.CliApp.Environment> = Effect.gen(function*() {
  const run = (isColored: boolean) =>
    Effect.forEach(
      Quick.commandLines,
      (args) =>
        Effect.flatMap(printed(args, isColored), ({ code, stdout }) =>
          code === 0 ? Effect.succeed(stdout) : Effect.fail(new Error(`kps-task ${args.join(" ")} exited ${code}`)))
    )
  return { plain: yield* run(false), colored: yield* run(true) }
})

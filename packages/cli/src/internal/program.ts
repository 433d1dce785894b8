import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Root from "./commands/root.js"
import * as Tasks from "./commands/tasks.js"
import * as Help from "./help.js"
import * as Render from "./render.js"
import * as Report from "./report.js"
import type * as Signals from "./signals.js"
import { version } from "./version.js"

const cli = /* @__PURE__ */ Command.run(
  Root.command.pipe(Command.transformHandler(Help.onCommandConsole)),
  { name: "kps-task", version }
)

/** Every command's words, for the usage lines of `--help`: the root's subcommands, and `tasks`'s. */
const paths: Help.Paths = /* @__PURE__ */ new Map([
  ...Help.paths(Root.command),
  ...Help.paths(Tasks.command, ["kps-task"])
])

// Log lines (warnings and above, or what --log-level asks) go to stderr: stdout is the output.
const toStderr = /* @__PURE__ */ Logger.replace(
  Logger.defaultLogger,
  Logger.withConsoleError(Logger.logfmtLogger)
)

/**
 * `kps-task` with a process's arguments: answers the exit code, having printed any failure as one
 * line on stderr. Interrupting it stops the command; a command that runs until stopped says so
 * through `StopIsNormal`.
 */
export const run = (
  argv: ReadonlyArray<string>
): Effect.Effect<number, never, CliApp.CliApp.Environment | Signals.StopIsNormal> =>
  Effect.gen(function*() {
    const console = yield* Console.consoleWith(Effect.succeed)
    const colored = yield* Render.colors
    return yield* Report.exitCode(
      cli(argv).pipe(
        Console.withConsole(Help.frameworkConsole(console, { colored, paths })),
        Effect.provideService(Help.CommandConsole, console)
      )
    )
  }).pipe(
    Effect.provide(toStderr),
    Logger.withMinimumLogLevel(LogLevel.Warning)
  )

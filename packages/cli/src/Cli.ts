/**
 * `kps-task`, the command line of effect-kps: get a KPS task, wait on it, run the emulator, see a
 * demo. `bin.ts` runs it as a Node process; {@link run} runs it anywhere an `Effect` runs.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Ref from "effect/Ref"
import * as Root from "./internal/commands/root.js"
import * as Report from "./internal/report.js"
import * as Signals from "./internal/signals.js"
import * as internalVersion from "./internal/version.js"

/**
 * The version of `kps-task`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = internalVersion.version

const cli = /* @__PURE__ */ Command.run(Root.command, { name: "kps-task", version })

// Log lines (warnings and above, or what --log-level asks) go to stderr: stdout is the output.
const toStderr = /* @__PURE__ */ Logger.replace(
  Logger.defaultLogger,
  Logger.withConsoleError(Logger.logfmtLogger)
)

/**
 * Runs `kps-task` with a process's arguments (`process.argv`: the runtime and the script first)
 * and answers the exit code, having printed any failure as one line on stderr:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | the task failed |
 * | 2 | the wait timed out |
 * | 3 | usage or configuration error |
 * | 4 | API or transport error |
 * | 130, 143 | stopped by SIGINT, SIGTERM (the emulator, whose normal end that is, exits 0) |
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-kps/cli"
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 *
 * const code = Cli.run(["node", "kps-task", "--help"]).pipe(Effect.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const stopIsNormal = yield* Ref.make(false)
    return yield* Effect.raceFirst(
      Report.exitCode(cli(argv)).pipe(Effect.provideService(Signals.StopIsNormal, stopIsNormal)),
      Effect.flatMap(
        Signals.terminationRequested,
        (signal) => Effect.map(Ref.get(stopIsNormal), (normal) => normal ? 0 : Signals.signalExitCode(signal))
      )
    )
  }).pipe(
    Effect.provide(toStderr),
    Logger.withMinimumLogLevel(LogLevel.Warning)
  )

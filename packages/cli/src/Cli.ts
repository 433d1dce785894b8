/**
 * `kps-task`, the command line of effect-kps: start KPS tasks (associate, disassociate), get a
 * task, wait on one or many, list the running and failed tasks and clean the failed ones, run the
 * emulator, see a demo. `bin.ts` runs it as a Node process; {@link run} runs it anywhere an
 * `Effect` runs.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Program from "./internal/program.js"
import * as Signals from "./internal/signals.js"
import * as internalVersion from "./internal/version.js"

/**
 * The version of `kps-task`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = internalVersion.version

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
 *
 * Waiting on several tasks ends with the worst of their codes (`ExitCode.worst`).
 *
 * Signals are left to whoever runs it: interrupting it stops the command. The `kps-task`
 * executable runs it with `NodeRuntime.runMain`, which interrupts it on SIGINT or SIGTERM, and
 * then exits 130 or 143 (or 0 for the emulator, whose normal end that is).
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
  Effect.flatMap(
    Ref.make(false),
    (stopIsNormal) => Program.run(argv).pipe(Effect.provideService(Signals.StopIsNormal, stopIsNormal))
  )

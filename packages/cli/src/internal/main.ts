// The program of the `kps-task` executable: `Cli.run` with the process's arguments, run by
// `NodeRuntime.runMain`, which keeps the process alive, interrupts the program on SIGINT/SIGTERM
// and exits with the code the teardown gives.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Program from "./program.js"
import * as Signals from "./signals.js"

const stopIsNormal = Effect.runSync(Ref.make(false))

NodeRuntime.runMain(
  Program.run(process.argv).pipe(
    Effect.provideService(Signals.StopIsNormal, stopIsNormal),
    Effect.provide(NodeContext.layer)
  ),
  {
    // `Program.run` prints its failures in one line, and its logs go to stderr.
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: Signals.teardown(stopIsNormal, Signals.firstSignal())
  }
)

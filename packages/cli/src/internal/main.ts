// The program of the `kps-task` executable: runs `Cli.run` with the process's arguments and
// exits with its code.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cli from "../Cli.js"

// Keeps the process alive while the program waits on nothing but a timer-less effect.
const keepAlive = setInterval(() => {}, 2 ** 31 - 1)

const fiber = Effect.runFork(Cli.run(process.argv).pipe(Effect.provide(NodeContext.layer)))

fiber.addObserver((exit) => {
  clearInterval(keepAlive)
  // `run` reports its own failures; anything left is a defect of the program itself.
  if (Exit.isFailure(exit)) process.stderr.write("kps-task: internal error\n")
  process.exit(Exit.isSuccess(exit) ? exit.value : 4)
})

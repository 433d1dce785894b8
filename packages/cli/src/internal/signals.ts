import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

/** Succeeds when the process receives SIGINT or SIGTERM; interrupting it removes its listeners. */
export const terminationRequested: Effect.Effect<NodeJS.Signals> = Effect.async<NodeJS.Signals>((resume) => {
  const onSignal = (signal: NodeJS.Signals) => {
    remove()
    resume(Effect.succeed(signal))
  }
  const remove = () => {
    process.removeListener("SIGINT", onSignal)
    process.removeListener("SIGTERM", onSignal)
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  return Effect.sync(remove)
})

/**
 * Whether SIGINT/SIGTERM is the normal way for the running command to end (the emulator runs
 * until stopped) rather than an interruption.
 */
export class StopIsNormal extends /* @__PURE__ */ Context.Tag("@effect-kps/cli/internal/StopIsNormal")<
  StopIsNormal,
  Ref.Ref<boolean>
>() {}

/** Declares that a signal ends the running command normally: the process then exits 0. */
export const stopIsNormal: Effect.Effect<void, never, StopIsNormal> = /* @__PURE__ */ Effect.flatMap(
  StopIsNormal,
  (ref) => Ref.set(ref, true)
)

/** The conventional exit code of a process stopped by a signal: 128 + its number. */
export const signalExitCode = (signal: NodeJS.Signals): number => signal === "SIGTERM" ? 143 : 130

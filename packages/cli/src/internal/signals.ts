import type * as Runtime from "@effect/platform/Runtime"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import * as ExitCode from "../ExitCode.js"

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

const signals = ["SIGINT", "SIGTERM"] as const

/**
 * Remembers which of SIGINT and SIGTERM the process received first. `NodeRuntime.runMain`
 * interrupts the program on either alike; the exit code tells them apart. It stops listening
 * after the first, as runMain does, so that a second signal ends the process at once.
 */
export const firstSignal = (): { readonly get: () => NodeJS.Signals | undefined; readonly stop: () => void } => {
  let received: NodeJS.Signals | undefined
  const stop = () => signals.forEach((signal) => process.off(signal, onSignal))
  const onSignal = (signal: NodeJS.Signals) => {
    received = signal
    stop()
  }
  signals.forEach((signal) => process.on(signal, onSignal))
  return { get: () => received, stop }
}

/**
 * How the `kps-task` process ends, as `NodeRuntime.runMain`'s teardown: with the code the program
 * answered; when a signal interrupted it, with 0 if stopping is the command's normal end (the
 * emulator), else 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
 */
export const teardown = (
  stop: Ref.Ref<boolean>,
  signal: ReturnType<typeof firstSignal>
): Runtime.Teardown =>
(exit, onExit) => {
  signal.stop()
  if (Exit.isSuccess(exit)) return onExit(typeof exit.value === "number" ? exit.value : ExitCode.success)
  if (Cause.isInterruptedOnly(exit.cause)) {
    return onExit(Effect.runSync(Ref.get(stop)) ? ExitCode.success : signal.get() === "SIGTERM" ? 143 : 130)
  }
  // The program reports its own failures: anything left is a defect of the program itself.
  process.stderr.write("kps-task: internal error\n")
  onExit(ExitCode.apiError)
}

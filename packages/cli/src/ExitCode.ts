/**
 * The exit codes of `kps-task`, and which failure ends with which.
 *
 * @since 0.1.0
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as ConfigError from "effect/ConfigError"

/**
 * An exit code of `kps-task`.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | the task failed (`FAILED_*`) |
 * | 2 | the wait timed out |
 * | 3 | usage or configuration error |
 * | 4 | API or transport error |
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = 0 | 1 | 2 | 3 | 4

/**
 * The command did what it was asked.
 *
 * @since 0.1.0
 * @category constants
 */
export const success: ExitCode = 0

/**
 * The task ended in a `FAILED_*` status.
 *
 * @since 0.1.0
 * @category constants
 */
export const taskFailed: ExitCode = 1

/**
 * The wait's deadline (`--timeout`) passed before the task ended.
 *
 * @since 0.1.0
 * @category constants
 */
export const timedOut: ExitCode = 2

/**
 * Bad usage (unknown command or option, missing argument, malformed value) or configuration
 * (missing credentials, unknown region, malformed endpoint or ids).
 *
 * @since 0.1.0
 * @category constants
 */
export const usage: ExitCode = 3

/**
 * KPS answered with an error (HTTP status outside 2xx, unreadable body), the request got no answer
 * (connection refused, timeout), or the emulator could not listen.
 *
 * @since 0.1.0
 * @category constants
 */
export const apiError: ExitCode = 4

// From the mildest to the worst: a bad command line says the most about what to fix first.
const severity: ReadonlyArray<ExitCode> = [success, taskFailed, timedOut, apiError, usage]

/**
 * The exit code of several outcomes (`kps-task wait` on several tasks): the worst of them, in
 * this order, worst first: `usage` (3) > `apiError` (4) > `timedOut` (2) > `taskFailed` (1) >
 * `success` (0). An outcome that is not known (an API or transport error) ranks above one that is
 * known but bad; `success` when there are none.
 *
 * @example
 * ```ts
 * import { ExitCode } from "@effect-kps/cli"
 *
 * ExitCode.worst([ExitCode.taskFailed, ExitCode.apiError, ExitCode.timedOut]) // 4
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const worst = (codes: Iterable<ExitCode>): ExitCode => {
  let rank = 0
  for (const code of codes) rank = Math.max(rank, severity.indexOf(code))
  return severity[rank]
}

const byTag: Readonly<Record<string, ExitCode>> = {
  TaskFailed: taskFailed,
  WaitTimeout: timedOut,
  KpsInvalidInput: usage,
  KpsApiError: apiError,
  KpsDecodeError: apiError,
  KpsTransportError: apiError
}

/**
 * The exit code for a failure: by its `_tag` for the typed errors of effect-kps, `usage` for
 * `@effect/cli`'s validation errors and Effect's `ConfigError`s, `apiError` for anything else.
 *
 * @example
 * ```ts
 * import { ExitCode } from "@effect-kps/cli"
 * import { KpsError } from "@effect-kps/core"
 *
 * ExitCode.fromError(new KpsError.KpsApiError({ status: 401, errorCode: "APIG.0301", errorMessage: "" })) // 4
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromError = (error: unknown): ExitCode => {
  if (typeof error !== "object" || error === null) return apiError
  const tag = (error as { readonly _tag?: unknown })._tag
  if (typeof tag === "string" && tag in byTag) return byTag[tag]
  // The emulator's own options are usage; a port it cannot listen on is transport.
  if (tag === "EmulatorError") {
    return (error as { readonly reason?: unknown }).reason === "InvalidOptions"
      ? usage
      : apiError
  }
  if (ValidationError.isValidationError(error) || ConfigError.isConfigError(error)) return usage
  return apiError
}

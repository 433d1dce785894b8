/** The life of a started task: the statuses its operation goes through, and how it is listed. */
import type * as Duration from "effect/Duration"
import type { Operation, TaskError, Timeline } from "./models.js"
import { status, task } from "./steps.js"

/**
 * The error `failed-tasks` lists for a failed task that was given none.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTaskError: TaskError = {
  code: "STUB.0001",
  message: "The stub was told to fail this task"
}

/**
 * The `operate_type` each operation is listed with in `running-tasks` and `failed-tasks`, and
 * the suffix of its statuses (`RUNNING_RESET`, `SUCCESS_UNBIND`, …), as the emulator names them.
 *
 * @since 0.1.0
 * @category constants
 */
export const operateTypes: { readonly [O in Operation]: string } = { associate: "RESET", disassociate: "UNBIND" }

/**
 * The timeline of a task an operation starts: `READY_*` for `ready` (default 1 second), then
 * `RUNNING_*` for `running` (default 4 seconds), then `SUCCESS_*`, or `FAILED_*` with `fail`
 * (`true` for {@link defaultTaskError}, or the error to list). The suffix follows the operation:
 * `_RESET` for associate, `_UNBIND` for disassociate. What a started task follows unless the
 * scenario's `timeline` says otherwise.
 *
 * @example
 * ```ts
 * import { KpsTesting } from "@effect-kps/testing"
 *
 * // Every started task takes a minute; those on "srv-broken" fail.
 * const scenario: KpsTesting.Scenario = {
 *   timeline: (started) =>
 *     KpsTesting.lifecycle(started.operation, {
 *       running: "1 minute",
 *       fail: started.serverId === "srv-broken" ? { code: "KPS.2001", message: "ssh refused" } : false
 *     })
 * }
 * ```
 *
 * @since 0.1.0
 * @category timelines
 */
export const lifecycle = (
  operation: Operation,
  options: {
    readonly ready?: Duration.DurationInput | undefined
    readonly running?: Duration.DurationInput | undefined
    readonly fail?: boolean | TaskError | undefined
  } = {}
): Timeline => {
  const suffix = operateTypes[operation]
  const fail = options.fail ?? false
  return [
    status(`READY_${suffix}`, { for: options.ready ?? "1 second" }),
    status(`RUNNING_${suffix}`, { for: options.running ?? "4 seconds" }),
    fail === false
      ? status(`SUCCESS_${suffix}`)
      : task({ status: `FAILED_${suffix}`, error: fail === true ? defaultTaskError : fail })
  ]
}

/** The `operate_type` of a status: its suffix (`RUNNING_RESET` is `RESET`), or `undefined`. */
export const operateTypeOf = (taskStatus: string): string | undefined => {
  const at = taskStatus.indexOf("_")
  return at === -1 || at === taskStatus.length - 1 ? undefined : taskStatus.slice(at + 1)
}

/** Which list a status puts a task on: pending (`READY_`, `RUNNING_`) or failed (`FAILED_`). */
export const listOf = (taskStatus: string): "running" | "failed" | undefined =>
  taskStatus.startsWith("READY_") || taskStatus.startsWith("RUNNING_")
    ? "running"
    : taskStatus.startsWith("FAILED_")
    ? "failed"
    : undefined

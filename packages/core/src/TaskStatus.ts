/**
 * The `task_status` of a KPS task: an open string whose prefix says how far the task got and whose
 * suffix says which operation it runs.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The statuses KPS is known to report: the SDK enum, plus the `*_REPLACE` and `*_BIND` endings the
 * Huawei Terraform provider also waits for.
 *
 * @since 0.1.0
 * @category constants
 */
export const known = [
  "READY_RESET",
  "RUNNING_RESET",
  "FAILED_RESET",
  "SUCCESS_RESET",
  "READY_REPLACE",
  "RUNNING_REPLACE",
  "FAILED_REPLACE",
  "SUCCESS_REPLACE",
  "READY_UNBIND",
  "RUNNING_UNBIND",
  "FAILED_UNBIND",
  "SUCCESS_UNBIND",
  "FAILED_BIND",
  "SUCCESS_BIND"
] as const

/**
 * A status KPS is known to report.
 *
 * @since 0.1.0
 * @category models
 */
export type Known = typeof known[number]

/**
 * The known statuses as a `Schema`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Known: Schema.Literal<typeof known> = /* @__PURE__ */ Schema.Literal(...known)

/**
 * A task status: one of the {@link Known} literals, or any other string the service sends. Unknown
 * values are kept as they are, never a decoding failure.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskStatus = Known | (string & {})

/**
 * Decodes a `task_status`: known literals are typed, unknown strings are kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TaskStatus: Schema.Schema<TaskStatus, string> = /* @__PURE__ */ Schema.Union(
  Known,
  Schema.String
).annotations({
  identifier: "TaskStatus",
  description: "A KPS task status such as RUNNING_RESET; unknown values are kept"
})

/**
 * How far a task got: still `pending`, ended as `succeeded` or `failed`, or `unknown` when the
 * status is missing or has no known prefix.
 *
 * @since 0.1.0
 * @category models
 */
export type Phase = "pending" | "succeeded" | "failed" | "unknown"

/**
 * The operation a task runs, read from the status suffix.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "reset" | "replace" | "unbind" | "bind" | "unknown"

const phaseByPrefix: ReadonlyArray<readonly [prefix: string, phase: Phase]> = [
  ["READY_", "pending"],
  ["RUNNING_", "pending"],
  ["SUCCESS_", "succeeded"],
  ["FAILED_", "failed"]
]

const operations: ReadonlyArray<Operation> = ["reset", "replace", "unbind", "bind"]

/**
 * Classifies a status by its prefix: `READY_` and `RUNNING_` are pending, `SUCCESS_` succeeded,
 * `FAILED_` failed; anything else, or no status at all, is unknown.
 *
 * @example
 * ```ts
 * import { TaskStatus } from "@effect-kps/core"
 *
 * TaskStatus.phase("RUNNING_RESET") // "pending"
 * TaskStatus.phase("FAILED_UNBIND") // "failed"
 * TaskStatus.phase("PAUSED") // "unknown"
 * ```
 *
 * @since 0.1.0
 * @category classification
 */
export const phase = (status: string | undefined): Phase => {
  if (status === undefined) return "unknown"
  for (const [prefix, phase] of phaseByPrefix) {
    if (status.startsWith(prefix)) return phase
  }
  return "unknown"
}

/**
 * The operation a status belongs to, read from its suffix (`RUNNING_REPLACE` → `"replace"`).
 *
 * @example
 * ```ts
 * import { TaskStatus } from "@effect-kps/core"
 *
 * TaskStatus.operation("SUCCESS_UNBIND") // "unbind"
 * TaskStatus.operation(undefined) // "unknown"
 * ```
 *
 * @since 0.1.0
 * @category classification
 */
export const operation = (status: string | undefined): Operation => {
  if (status === undefined) return "unknown"
  const separator = status.indexOf("_")
  const suffix = separator < 0 ? "" : status.slice(separator + 1).toLowerCase()
  return operations.find((op) => op === suffix) ?? "unknown"
}

/**
 * Whether a status is one of the {@link Known} literals.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isKnown = (status: string | undefined): status is Known =>
  status !== undefined && (known as ReadonlyArray<string>).includes(status)

/**
 * Whether a status ends the task, successfully or not.
 *
 * @since 0.1.0
 * @category classification
 */
export const isTerminal = (status: string | undefined): boolean => {
  const p = phase(status)
  return p === "succeeded" || p === "failed"
}

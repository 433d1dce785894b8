/**
 * Metrics of durable waits, as Effect `Metric`s, beside `WaitMetrics` (which durable waits update
 * as in-memory ones do).
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"

/**
 * Durable waits started: the first run of an execution, which fixes its deadline.
 *
 * @since 0.1.0
 * @category metrics
 */
export const started: Metric.Metric.Counter<number> = /* @__PURE__ */ Metric.counter("kps_durable_waits_started", {
  description: "Durable waits on KPS tasks started (their first run)"
})

/**
 * Durable waits taken up again from storage: after a restart, a suspension, or on another runner.
 *
 * @since 0.1.0
 * @category metrics
 */
export const resumed: Metric.Metric.Counter<number> = /* @__PURE__ */ Metric.counter("kps_durable_waits_resumed", {
  description: "Durable waits on KPS tasks taken up again from storage"
})

/**
 * Bindings adopted: a binding step that may have been sent by a process that stopped found the
 * task it started among KPS's running tasks, and waited on it instead of binding again.
 *
 * @since 0.1.0
 * @category metrics
 */
export const adopted: Metric.Metric.Counter<number> = /* @__PURE__ */ Metric.counter("kps_durable_bindings_adopted", {
  description: "Bindings that took up a running task a stopped process had started, instead of binding again"
})

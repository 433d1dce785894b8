/**
 * Metrics of waiting, as Effect `Metric`s: export them with any Effect metrics exporter.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/**
 * Task queries sent by waits, retries included.
 *
 * @since 0.1.0
 * @category metrics
 */
export const polls: Metric.Metric.Counter<number> = /* @__PURE__ */ Metric.counter("kps_task_polls", {
  description: "Task queries sent while waiting on KPS tasks, retries included"
})

/**
 * Queries answered as throttled (429, `APIG.0308`) while waiting.
 *
 * @since 0.1.0
 * @category metrics
 */
export const throttles: Metric.Metric.Counter<number> = /* @__PURE__ */ Metric.counter("kps_task_throttles", {
  description: "Task queries answered as throttled while waiting on KPS tasks"
})

/**
 * How long waits took, in milliseconds, however they ended.
 *
 * @since 0.1.0
 * @category metrics
 */
export const waitDuration: Metric.Metric.Histogram<number> = /* @__PURE__ */ Metric.histogram(
  "kps_task_wait_duration_ms",
  /* @__PURE__ */ MetricBoundaries.exponential({ start: 1_000, factor: 2, count: 12 }),
  "How long waits on KPS tasks took, in milliseconds"
)

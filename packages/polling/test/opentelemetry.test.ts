import { Credentials, KpsClient } from "@effect-kps/core"
import { TaskWaiter, WaitMetrics, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { NodeSdk } from "@effect/opentelemetry"
import { describe, expect, it } from "@effect/vitest"
import { SpanKind, SpanStatusCode } from "@opentelemetry/api"
import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  InMemoryMetricExporter,
  type MetricData,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_FULL
} from "@opentelemetry/semantic-conventions"
import { Clock, Effect, Exit, Fiber, Logger, LogLevel, Metric, Redacted } from "effect"

// A wait run under @effect/opentelemetry's NodeSdk, as a user exports it to their own backend:
// every span goes to an in-memory exporter, and the Effect metrics through the bridge to an
// in-memory metric exporter. The exporters are flushed by hand: nothing here runs on real time.

const token = "MIIotel-TOKEN-do-not-export-0123456789"
const accessKeyId = "HPUAOTELAK0000000001"
const secretKey = "otelSecretKey-do-not-export-000000000001"
const serverKey = "otel-root-password-do-not-export"
const secrets = [token, secretKey, serverKey]

const taskUrl = (taskId: string) => `${KpsTesting.endpoint}/v3/${KpsTesting.projectId}/tasks/${taskId}`

/** The NodeSdk with in-memory exporters, and how to read what it exported so far. */
const makeTelemetry = () => {
  const spanExporter = new InMemorySpanExporter()
  const spanProcessor = new SimpleSpanProcessor(spanExporter)
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // Exports on its own only once an hour (real time); the test flushes it.
  const metricReader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000
  })
  const layer = NodeSdk.layer(() => ({
    resource: { serviceName: "kps-otel-test", serviceVersion: "0.0.0" },
    spanProcessor,
    metricReader
  }))
  const spans = Effect.promise(() => spanProcessor.forceFlush()).pipe(
    Effect.map(() => spanExporter.getFinishedSpans())
  )
  /** The metrics as the exporter last received them, by name. */
  const metrics = Effect.promise(() => metricReader.forceFlush()).pipe(
    Effect.map(() => {
      const exported = metricExporter.getMetrics().at(-1)
      return new Map(
        (exported?.scopeMetrics ?? []).flatMap((scope) => scope.metrics).map((
          metric
        ) => [metric.descriptor.name, metric])
      )
    })
  )
  return { layer, spans, metrics }
}

const spanId = (span: ReadableSpan) => span.spanContext().spanId
const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId
const millis = (time: readonly [number, number]) => time[0] * 1_000 + time[1] / 1_000_000

/** The children of `parent` named `name`, in start order. */
const childrenOf = (spans: ReadonlyArray<ReadableSpan>, parent: ReadableSpan, name: string) =>
  spans
    .filter((span) => span.name === name && parentId(span) === spanId(parent))
    .sort((a, b) => millis(a.startTime) - millis(b.startTime))

/** Every text a span or metric carries out of the process: what a backend would receive. */
const exportedTexts = (
  spans: ReadonlyArray<ReadableSpan>,
  metrics: ReadonlyMap<string, MetricData>
): ReadonlyArray<string> => [
  ...spans.flatMap((span) => [
    span.name,
    JSON.stringify(span.attributes),
    span.status.message ?? "",
    JSON.stringify(span.resource.attributes),
    ...span.events.map((event) => `${event.name} ${JSON.stringify(event.attributes ?? {})}`),
    ...span.links.map((link) => JSON.stringify(link.attributes ?? {}))
  ]),
  ...[...metrics.values()].flatMap((metric) => [
    JSON.stringify(metric.descriptor),
    ...metric.dataPoints.map((point) => JSON.stringify(point.attributes))
  ])
]

const expectNoSecret = (texts: ReadonlyArray<string>) => {
  expect(texts.length).toBeGreaterThan(0)
  for (const text of texts) {
    for (const secret of secrets) expect(text).not.toContain(secret)
  }
}

/** A counter's value, 0 before its first update. */
const sumOf = (metrics: ReadonlyMap<string, MetricData>, name: string) => {
  const metric = metrics.get(name)
  if (metric === undefined) return 0
  expect(metric.dataPointType).toBe(DataPointType.SUM)
  return metric.dataPoints.reduce((total, point) => total + (point.value as number), 0)
}

const histogramOf = (metrics: ReadonlyMap<string, MetricData>, name: string): Histogram | undefined => {
  const metric = metrics.get(name)
  if (metric === undefined) return undefined
  expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM)
  expect(metric.dataPoints).toHaveLength(1)
  return metric.dataPoints[0].value as Histogram
}

/** Forks `effect`, runs the TestClock to its end; the exit, and the time it took on the clock. */
const runOut = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(effect)
    const exit = yield* KpsTesting.runToEnd(fiber)
    yield* Fiber.await(fiber)
    return { exit, took: (yield* Clock.currentTimeMillis) - start }
  })

describe("a wait under @effect/opentelemetry", () => {
  it.effect("exports the span tree, with semantic-convention attributes and request ids, and the WaitMetrics", () => {
    const telemetry = makeTelemetry()
    return Effect.gen(function*() {
      const before = yield* telemetry.metrics
      // With debug logging on, the log lines of the wait become span events too: exported, and checked.
      const { exit, took } = yield* runOut(TaskWaiter.waitForTask("t", { policy: WaitPolicy.fixed("5 seconds") })).pipe(
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      expect(Exit.isSuccess(exit) && exit.value.taskStatus).toBe("SUCCESS_RESET")
      // The token was sent on every request: a leak would have had something to leak.
      const requests = yield* KpsTesting.requests
      expect(requests.map((request) => request.headers["x-auth-token"])).toEqual([token, token, token, token])
      // 0 s throttled (Retry-After 2), 2 s refused (backoff 2 s), 4 s running, 9 s succeeded.
      expect(requests.map((request) => request.at)).toEqual([0, 2_000, 4_000, 9_000])
      expect(took).toBe(9_000)

      const spans = yield* telemetry.spans
      const [wait, ...others] = spans.filter((span) => span.name === "TaskWaiter.waitForTask")
      expect(others).toEqual([])
      expect(parentId(wait)).toBeUndefined()
      expect(wait.kind).toBe(SpanKind.INTERNAL)
      expect(wait.status.code).toBe(SpanStatusCode.OK)
      expect(millis(wait.duration)).toBe(9_000)
      expect(wait.attributes).toMatchObject({
        "kps.task_id": "t",
        "kps.attempts": 4,
        "kps.task_status": "SUCCESS_RESET"
      })
      expect(wait.attributes).not.toHaveProperty(ATTR_ERROR_TYPE)
      expect(wait.resource.attributes[ATTR_SERVICE_NAME]).toBe("kps-otel-test")

      // wait → one poll span per query (retries included) → one client span per poll.
      const polls = childrenOf(spans, wait, "TaskWaiter.poll")
      expect(polls.map((poll) => poll.attributes["kps.attempt"])).toEqual([1, 2, 3, 4])
      expect(polls.map((poll) => poll.status.code)).toEqual([
        SpanStatusCode.ERROR,
        SpanStatusCode.ERROR,
        SpanStatusCode.OK,
        SpanStatusCode.OK
      ])
      expect(polls.map((poll) => poll.attributes["kps.task_status"])).toEqual([
        undefined,
        undefined,
        "RUNNING_RESET",
        "SUCCESS_RESET"
      ])
      const calls = polls.map((poll) => {
        const children = childrenOf(spans, poll, "KpsClient.getTask")
        expect(children).toHaveLength(1)
        return children[0]
      })
      // Every span is in the tree: none left over, none of another trace.
      expect(spans).toHaveLength(1 + polls.length + calls.length)
      expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1)

      for (const call of calls) {
        expect(call.kind).toBe(SpanKind.CLIENT)
        expect(call.attributes).toMatchObject({
          [ATTR_HTTP_REQUEST_METHOD]: "GET",
          [ATTR_URL_FULL]: taskUrl("t"),
          [ATTR_SERVER_ADDRESS]: "kms.cn-north-4.myhuaweicloud.com",
          [ATTR_SERVER_PORT]: 443,
          "kps.task_id": "t",
          "kps.project_id": KpsTesting.projectId
        })
      }
      const [throttled, refused, running, succeeded] = calls
      // An error answer: its status, its request id, error.type the status code, the span failed.
      expect(throttled.attributes).toMatchObject({
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: 429,
        [ATTR_ERROR_TYPE]: "429",
        "kps.request_id": "stub-request-000001"
      })
      expect(throttled.status.code).toBe(SpanStatusCode.ERROR)
      expect(throttled.status.message).toContain("APIG.0308")
      expect(throttled.events.map((event) => event.name)).toEqual(["exception"])
      // No answer at all: no status code, no request id; the error's tag and reason.
      expect(refused.attributes).toMatchObject({
        [ATTR_ERROR_TYPE]: "KpsTransportError",
        "kps.error.reason": "ConnectionRefused"
      })
      expect(refused.attributes).not.toHaveProperty(ATTR_HTTP_RESPONSE_STATUS_CODE)
      expect(refused.attributes).not.toHaveProperty("kps.request_id")
      expect(refused.status.code).toBe(SpanStatusCode.ERROR)
      // Answers: status 200, the request id the stub gave, no error.type.
      for (const [call, requestId] of [[running, "stub-request-000003"], [succeeded, "stub-request-000004"]] as const) {
        expect(call.attributes).toMatchObject({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200, "kps.request_id": requestId })
        expect(call.attributes).not.toHaveProperty(ATTR_ERROR_TYPE)
        expect(call.status.code).toBe(SpanStatusCode.OK)
      }

      // Log lines are events of the span they were written in, with their annotations.
      const retries = wait.events.filter((event) => event.name === "KPS poll failed; retrying")
      expect(retries.map((event) => event.attributes)).toEqual([
        expect.objectContaining({ "kps.task_id": "t", "kps.error": "KpsApiError", "retry.delay_ms": 2_000 }),
        expect.objectContaining({ "kps.task_id": "t", "kps.error": "KpsTransportError", "retry.delay_ms": 2_000 })
      ])
      const answered = polls.flatMap((poll) => poll.events.filter((event) => event.name === "KPS answered"))
      expect(answered.map((event) => event.attributes?.[ATTR_HTTP_RESPONSE_STATUS_CODE])).toEqual([429, 200, 200])
      expect(answered.map((event) => event.attributes?.["kps.request_id"])).toEqual([
        "stub-request-000001",
        "stub-request-000003",
        "stub-request-000004"
      ])

      // The WaitMetrics, through the Effect metrics bridge: names, kinds, descriptions, values.
      const after = yield* telemetry.metrics
      // The exported instruments are the WaitMetrics themselves.
      expect(sumOf(after, "kps_task_polls")).toBe((yield* Metric.value(WaitMetrics.polls)).count)
      expect(sumOf(after, "kps_task_throttles")).toBe((yield* Metric.value(WaitMetrics.throttles)).count)
      expect(histogramOf(after, "kps_task_wait_duration_ms")?.sum).toBe(
        (yield* Metric.value(WaitMetrics.waitDuration)).sum
      )
      expect(sumOf(after, "kps_task_polls") - sumOf(before, "kps_task_polls")).toBe(4)
      expect(sumOf(after, "kps_task_throttles") - sumOf(before, "kps_task_throttles")).toBe(1)
      expect(after.get("kps_task_polls")?.descriptor.description).toBe(
        "Task queries sent while waiting on KPS tasks, retries included"
      )
      expect(after.get("kps_task_throttles")?.descriptor.description).toBe(
        "Task queries answered as throttled while waiting on KPS tasks"
      )
      const waited = histogramOf(after, "kps_task_wait_duration_ms")!
      const waitedBefore = histogramOf(before, "kps_task_wait_duration_ms")
      expect(after.get("kps_task_wait_duration_ms")?.descriptor.description).toBe(
        "How long waits on KPS tasks took, in milliseconds"
      )
      expect(waited.count - (waitedBefore?.count ?? 0)).toBe(1)
      expect(waited.sum! - (waitedBefore?.sum ?? 0)).toBe(9_000)
      expect(waited.buckets.boundaries.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000])
      // 9 000 ms falls in (8 000, 16 000]: the fifth bucket.
      const bucketGrowth = waited.buckets.counts.map((count, i) => count - (waitedBefore?.buckets.counts[i] ?? 0))
      expect(bucketGrowth.map((growth, i) => growth > 0 ? i : -1).filter((i) => i >= 0)).toEqual([4])
      for (const name of ["kps_task_polls", "kps_task_throttles", "kps_task_wait_duration_ms"]) {
        for (const point of after.get(name)!.dataPoints) expect(point.attributes).toEqual({})
      }

      expectNoSecret(exportedTexts(spans, after))
    }).pipe(
      Effect.provide(KpsTesting.layerClient({
        credentials: { tokens: [token] },
        tasks: {
          t: [
            KpsTesting.throttled({ retryAfter: 2, times: 1 }),
            KpsTesting.transportError("ConnectionRefused", { times: 1 }),
            KpsTesting.status("RUNNING_RESET", { times: 1 }),
            KpsTesting.status("SUCCESS_RESET")
          ]
        }
      }, { credentials: Credentials.token(Redacted.make(token)) })),
      Effect.provide(telemetry.layer)
    )
  })

  it.effect("a failed request fails its span, its poll and the wait, and an echoed secret stays out", () => {
    const telemetry = makeTelemetry()
    return Effect.gen(function*() {
      const { exit } = yield* runOut(TaskWaiter.waitForTask("denied", { policy: WaitPolicy.fixed("5 seconds") }))
      expect(exit).toMatchObject({ _tag: "Failure" })
      expect(Exit.isFailure(exit) && exit.cause).toMatchObject({ error: { _tag: "KpsApiError", status: 403 } })

      const spans = yield* telemetry.spans
      expect(spans.map((span) => span.name).sort()).toEqual([
        "KpsClient.getTask",
        "TaskWaiter.poll",
        "TaskWaiter.waitForTask"
      ])
      const [wait] = spans.filter((span) => span.name === "TaskWaiter.waitForTask")
      const [poll] = childrenOf(spans, wait, "TaskWaiter.poll")
      const [call] = childrenOf(spans, poll, "KpsClient.getTask")
      expect(call.attributes).toMatchObject({
        [ATTR_HTTP_REQUEST_METHOD]: "GET",
        [ATTR_URL_FULL]: taskUrl("denied"),
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: 403,
        [ATTR_ERROR_TYPE]: "403",
        "kps.request_id": "stub-request-000001"
      })
      for (const span of [call, poll, wait]) expect(span.status.code).toBe(SpanStatusCode.ERROR)
      expect(wait.attributes).toMatchObject({ [ATTR_ERROR_TYPE]: "KpsApiError", "kps.attempts": 1 })
      expect(wait.attributes).not.toHaveProperty("kps.task_status")
      // The gateway echoed the secret key into its message: the span says <redacted>.
      expect(call.status.message).toContain("<redacted>")
      expect(call.events.map((event) => event.name)).toEqual(["exception"])
      expect(JSON.stringify(call.events[0].attributes)).toContain("<redacted>")

      expectNoSecret(exportedTexts(spans, yield* telemetry.metrics))
    }).pipe(
      Effect.provide(KpsTesting.layerClient({
        credentials: { accessKeys: { [accessKeyId]: secretKey } },
        tasks: {
          denied: [
            KpsTesting.apiError(403, { code: "APIG.0302", message: `signature with ${secretKey} rejected` })
          ]
        }
      }, { credentials: Credentials.accessKey({ accessKeyId, secretAccessKey: Redacted.make(secretKey) }) })),
      Effect.provide(telemetry.layer)
    )
  })

  it.effect("a task that fails: the wait's span says TaskFailed, its requests succeeded", () => {
    const telemetry = makeTelemetry()
    return Effect.gen(function*() {
      const { exit } = yield* runOut(TaskWaiter.waitForTask("broken", { policy: WaitPolicy.fixed("5 seconds") }))
      expect(Exit.isFailure(exit) && exit.cause).toMatchObject({ error: { _tag: "TaskFailed" } })
      const spans = yield* telemetry.spans
      const [wait] = spans.filter((span) => span.name === "TaskWaiter.waitForTask")
      expect(wait.status.code).toBe(SpanStatusCode.ERROR)
      expect(wait.attributes).toMatchObject({
        [ATTR_ERROR_TYPE]: "TaskFailed",
        "kps.attempts": 2,
        "kps.task_status": "FAILED_RESET"
      })
      const calls = childrenOf(spans, wait, "TaskWaiter.poll").flatMap((poll) =>
        childrenOf(spans, poll, "KpsClient.getTask")
      )
      expect(calls.map((call) => call.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE])).toEqual([200, 200])
      for (const call of calls) {
        expect(call.status.code).toBe(SpanStatusCode.OK)
        expect(call.attributes).not.toHaveProperty(ATTR_ERROR_TYPE)
      }
    }).pipe(
      Effect.provide(KpsTesting.layerClient({
        tasks: { broken: [KpsTesting.status("RUNNING_RESET", { times: 1 }), KpsTesting.status("FAILED_RESET")] }
      })),
      Effect.provide(telemetry.layer)
    )
  })

  it.effect("startAndWait with a server's password: one tree, and the password in no span", () => {
    const telemetry = makeTelemetry()
    return Effect.gen(function*() {
      const { exit } = yield* runOut(
        TaskWaiter.startAndWait(
          KpsClient.associateKeypair({
            keypairName: "deploy-2026",
            server: {
              id: "0b5a5c0e-8f5b-4a8e-9d3b-6f1f2c7d9e01",
              auth: { type: "password", key: Redacted.make(serverKey) }
            }
          }),
          { policy: WaitPolicy.fixed("2 seconds") }
        )
      )
      expect(Exit.isSuccess(exit) && exit.value.taskStatus).toBe("SUCCESS_RESET")
      // The password went over the wire, in the body of the start, and nowhere else.
      const requests = yield* KpsTesting.requests
      expect(requests[0].body).toContain(serverKey)
      expect(requests.slice(1).every((request) => request.method === "GET")).toBe(true)

      const spans = yield* telemetry.spans
      const [outer] = spans.filter((span) => span.name === "TaskWaiter.startAndWait")
      expect(parentId(outer)).toBeUndefined()
      const [start] = childrenOf(spans, outer, "KpsClient.associateKeypair")
      const [wait] = childrenOf(spans, outer, "TaskWaiter.waitForTask")
      const taskId = outer.attributes["kps.task_id"]
      expect(taskId).toBe("stub-task-000001")
      expect(start.kind).toBe(SpanKind.CLIENT)
      expect(start.attributes).toMatchObject({
        [ATTR_HTTP_REQUEST_METHOD]: "POST",
        [ATTR_URL_FULL]: `${KpsTesting.endpoint}/v3/${KpsTesting.projectId}/keypairs/associate`,
        [ATTR_SERVER_ADDRESS]: "kms.cn-north-4.myhuaweicloud.com",
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: 202,
        "kps.server_id": "0b5a5c0e-8f5b-4a8e-9d3b-6f1f2c7d9e01",
        "kps.keypair_name": "deploy-2026"
      })
      expect(wait.attributes).toMatchObject({ "kps.task_id": taskId, "kps.task_status": "SUCCESS_RESET" })
      const polls = childrenOf(spans, wait, "TaskWaiter.poll")
      expect(polls.length).toBe(requests.length - 1)
      for (const poll of polls) {
        const [call] = childrenOf(spans, poll, "KpsClient.getTask")
        expect(call.attributes[ATTR_URL_FULL]).toBe(taskUrl(String(taskId)))
      }
      expect(spans).toHaveLength(3 + 2 * polls.length)

      expectNoSecret(exportedTexts(spans, yield* telemetry.metrics))
    }).pipe(
      Effect.provide(
        KpsTesting.layerClient({ credentials: { tokens: [token] } }, {
          credentials: Credentials.token(Redacted.make(token))
        })
      ),
      Effect.provide(telemetry.layer)
    )
  })
})

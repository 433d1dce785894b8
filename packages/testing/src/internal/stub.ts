import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { RecordedRequest, Reply, Scenario, Step, Timeline } from "../KpsTesting.js"
import { KpsTesting } from "../KpsTesting.js"
import * as Replies from "./replies.js"

/** Where a task is in its timeline. */
interface TaskState {
  readonly timeline: Timeline
  readonly index: number
  /** When the current step started, in ms on the Clock. */
  readonly stepStart: number
  /** Requests the current step has answered. */
  readonly served: number
}

const defaultUnknownTask: Reply = {
  _tag: "ApiError",
  status: 400,
  errorCode: "KPS.0001",
  errorMessage: "taskId is illegal",
  shape: "flat",
  headers: {}
}

const routeNotFound: Reply = {
  _tag: "ApiError",
  status: 404,
  errorCode: "APIG.0101",
  errorMessage: "The API does not exist or has not been published in the environment",
  shape: "flat",
  headers: {}
}

const stepEnded = (step: Step, state: TaskState, now: number): number | undefined => {
  if (step.for !== undefined && now - state.stepStart >= Duration.toMillis(step.for)) {
    return state.stepStart + Duration.toMillis(step.for)
  }
  if (step.times !== undefined && state.served >= step.times) return now
  return undefined
}

/**
 * Moves a task to the step that is current at `now` and counts one more request on it.
 */
export const advance = (state: TaskState, now: number): readonly [Step, TaskState] => {
  let current = state
  while (current.index < current.timeline.length - 1) {
    const nextStart = stepEnded(current.timeline[current.index], current, now)
    if (nextStart === undefined) break
    current = { ...current, index: current.index + 1, stepStart: nextStart, served: 0 }
  }
  return [current.timeline[current.index], { ...current, served: current.served + 1 }]
}

const taskPath = /\/v3\/([^/]+)\/tasks\/([^/]+)$/

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

const headersOf = (request: HttpClientRequest.HttpClientRequest): Record<string, string> => ({ ...request.headers })

export const make = (scenario: Scenario) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const tasks = yield* Ref.make(
      new Map<string, TaskState>(
        Object.entries(scenario.tasks ?? {}).map((
          [id, timeline]
        ) => [id, { timeline, index: 0, stepStart: start, served: 0 }])
      )
    )
    const recorded = yield* Ref.make<ReadonlyArray<RecordedRequest>>([])
    const unknownTask = scenario.unknownTask ?? defaultUnknownTask

    // The step a request meets, if it names a task the scenario scripts.
    const stepFor = (taskId: string, now: number) =>
      Ref.modify(tasks, (map): readonly [Step | undefined, Map<string, TaskState>] => {
        const state = map.get(taskId)
        if (state === undefined || state.timeline.length === 0) return [undefined, map]
        const [step, next] = advance(state, now)
        return [step, new Map(map).set(taskId, next)]
      })

    const handle = (request: HttpClientRequest.HttpClientRequest, url: URL) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const count = yield* Ref.modify(recorded, (all) => [
          all.length + 1,
          [...all, { method: request.method, url: url.toString(), headers: headersOf(request), at: now }]
        ])
        const requestId = `stub-request-${String(count).padStart(6, "0")}`
        const match = request.method === "GET" ? taskPath.exec(url.pathname) : null
        const taskId = match === null ? undefined : decodeSegment(match[2])
        if (taskId === undefined) {
          return yield* Replies.play(request, Replies.outcome(routeNotFound, "", requestId), requestId)
        }
        const step = yield* stepFor(taskId, now)
        if (step?.latency !== undefined) yield* Effect.sleep(step.latency)
        return yield* Replies.play(request, Replies.outcome(step?.reply ?? unknownTask, taskId, requestId), requestId)
      })

    const control = KpsTesting.of({
      requests: Ref.get(recorded),
      setTask: (taskId, timeline) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(tasks, (map) => new Map(map).set(taskId, { timeline, index: 0, stepStart: now, served: 0 })))
    })
    return Context.make(KpsTesting, control).pipe(
      Context.add(HttpClient.HttpClient, HttpClient.make(handle))
    )
  })

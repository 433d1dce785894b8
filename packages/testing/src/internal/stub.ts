import * as KpsClient from "@effect-kps/core/KpsClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Gateway from "../Gateway.js"
import type { RecordedRequest, Reply, Scenario, Service, Step, Timeline } from "../KpsTesting.js"
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

/** A gateway answer as a scripted reply: Huawei's flat shape. */
const replyOf = (error: Gateway.GatewayError): Reply => ({
  _tag: "ApiError",
  status: error.status,
  errorCode: error.errorCode,
  errorMessage: error.errorMessage,
  shape: "flat",
  headers: error.headers
})

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
const projectsPath = /\/v3\/projects$/

/** The gateway's verdict on a request: `undefined` when it passes, else the reply it gets. */
const authenticate = (
  keys: Gateway.Keys,
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): Effect.Effect<Reply | undefined> =>
  Gateway.authenticate(keys, {
    method: request.method,
    url,
    headers: request.headers,
    body: request.body._tag === "Uint8Array" ? request.body.body : undefined
  }).pipe(Effect.match({ onFailure: replyOf, onSuccess: () => undefined }))

const headersOf = (request: HttpClientRequest.HttpClientRequest): Record<string, string> => ({ ...request.headers })

export const make = (
  scenario: Scenario,
  projectId: string
): Effect.Effect<{ readonly control: Service; readonly client: HttpClient.HttpClient }> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    // Plain mutable state: every change is one synchronous step, so no two fibers interleave in it,
    // and a request costs the same with ten tasks or ten thousand.
    const tasks = new Map<string, TaskState>(
      Object.entries(scenario.tasks ?? {}).map((
        [id, timeline]
      ) => [id, { timeline, index: 0, stepStart: start, served: 0 }])
    )
    const recorded: Array<RecordedRequest> = []
    let served = 0
    const keys = scenario.credentials === undefined ? undefined : Gateway.keys(scenario.credentials)
    const projectsReply = (name: string | null): Reply => ({
      _tag: "Raw",
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        projects: scenario.projects === undefined
          ? [{ id: projectId, name: name ?? "" }]
          : scenario.projects.filter((project) => name === null || project.name === name),
        links: { self: "https://iam.example.invalid/v3/projects" }
      })
    })

    // The step a request meets, if it names a task the scenario scripts.
    const stepFor = (taskId: string, now: number): Step | undefined => {
      const state = tasks.get(taskId)
      if (state === undefined || state.timeline.length === 0) return undefined
      const [step, next] = advance(state, now)
      tasks.set(taskId, next)
      return step
    }

    const handle = (request: HttpClientRequest.HttpClientRequest, url: URL) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const count = ++served
        if (scenario.record !== false) {
          recorded.push({ method: request.method, url: url.toString(), headers: headersOf(request), at: now })
        }
        const requestId = `stub-request-${String(count).padStart(6, "0")}`
        const answer = (reply: Reply, taskId = "") =>
          Replies.play(request, Replies.outcome(reply, taskId, requestId), requestId)
        // The gateway's order: the route, then who is asking.
        const isProjects = projectsPath.test(url.pathname)
        const match = taskPath.exec(url.pathname)
        if (!isProjects && match === null) return yield* answer(replyOf(Gateway.routeNotFound()))
        if (request.method !== "GET") return yield* answer(replyOf(Gateway.routeNotFound(["GET"])))
        if (keys !== undefined) {
          const rejection = yield* authenticate(keys, request, url)
          if (rejection !== undefined) return yield* answer(rejection)
        }
        if (match === null) return yield* answer(projectsReply(url.searchParams.get("name")))
        const taskId = Gateway.decodeSegment(match[2])
        if (taskId === undefined) return yield* answer(replyOf(Gateway.routeNotFound()))
        const step = stepFor(taskId, now)
        const reply = step?.reply ?? scenario.unknownTask ?? replyOf(Gateway.unknownTask(taskId))
        if (step?.latency === undefined && reply._tag !== "Hang") return yield* answer(reply, taskId)
        const slow = step?.latency === undefined ? answer(reply, taskId) : Effect.zipRight(
          Effect.sleep(step.latency),
          answer(reply, taskId)
        )
        return yield* timeLimited(request, slow)
      })

    // Only an answer that takes time can time out, so only it gets a timer: a request answered at
    // once leaves nothing behind on the clock.
    const timeLimited = <A>(
      request: HttpClientRequest.HttpClientRequest,
      slow: Effect.Effect<A, HttpClientError.HttpClientError>
    ) =>
      Effect.flatMap(FiberRef.get(KpsClient.currentRequestTimeout), (timeout) =>
        timeout === undefined || !Duration.isFinite(timeout) ? slow : Effect.timeoutFail(slow, {
          duration: timeout,
          onTimeout: () =>
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              // What the Node transport aborts with.
              cause: new DOMException(`no answer within ${Duration.format(timeout)}`, "TimeoutError")
            })
        }))

    const control: Service = {
      requests: Effect.sync(() =>
        recorded.slice()
      ),
      setTask: (taskId, timeline) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          tasks.set(taskId, { timeline, index: 0, stepStart: now, served: 0 })
        })
    }
    // `makeWith`, not `make`: the stub needs no AbortController per request (it aborts a
    // DOMException, stack trace and all, on every answer), nor the platform's client span.
    const execute = (request: HttpClientRequest.HttpClientRequest) => {
      const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
      return Either.isLeft(url)
        ? Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
        : handle(request, url.right)
    }
    return {
      control,
      client: HttpClient.makeWith<HttpClientError.HttpClientError, never, HttpClientError.HttpClientError, never>(
        (request) => Effect.flatMap(request, execute),
        Effect.succeed
      )
    }
  })

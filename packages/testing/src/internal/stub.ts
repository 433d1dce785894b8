/** The stub's `HttpClient`: each request recorded, routed, let in by the gateway, then answered by its route. */
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
import * as Handlers from "./handlers.js"
import type { RecordedRequest, Route, Scenario, Step } from "./models.js"
import * as Replies from "./replies.js"
import * as Requests from "./requests.js"
import * as Routes from "./routes.js"
import type { Service } from "./service.js"
import * as TaskStore from "./taskStore.js"
import * as Cursor from "./timeline.js"

/** The gateway's verdict on a request: `undefined` when it passes, else the reply it gets. */
const authenticate = (
  keys: Gateway.Keys,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: Uint8Array | undefined
): Effect.Effect<Replies.Answering | undefined> =>
  Gateway.authenticate(keys, { method: request.method, url, headers: request.headers, body }).pipe(
    Effect.match({ onFailure: Replies.gatewayReply, onSuccess: () => undefined })
  )

const headersOf = (request: HttpClientRequest.HttpClientRequest): Record<string, string> => ({ ...request.headers })

const sum = (a: Duration.Duration | undefined, b: Duration.Duration | undefined) =>
  a === undefined ? b : b === undefined ? a : Duration.sum(a, b)

export const make = (
  scenario: Scenario,
  projectId: string
): Effect.Effect<{ readonly control: Service; readonly client: HttpClient.HttpClient }> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    // Plain mutable state: every change is one synchronous step, so no two fibers interleave in it,
    // and a request costs the same with ten tasks or ten thousand (only the lists scan them).
    const store = TaskStore.make({ tasks: scenario.tasks, timeline: scenario.timeline, now: start })
    const routeScripts = new Map<Route, Cursor.Cursor>(
      Object.entries(scenario.routes ?? {}).flatMap(([route, timeline]) =>
        timeline === undefined ? [] : [[route as Route, Cursor.start(timeline, start)] as const]
      )
    )
    const handle = Handlers.make(store, scenario, projectId)
    const recorded: Array<RecordedRequest> = []
    let served = 0
    const keys = scenario.credentials === undefined ? undefined : Gateway.keys(scenario.credentials)

    // The step of a route's script a request meets, if the route is scripted.
    const routeStep = (name: Routes.Name, now: number): Step | undefined => {
      if (name === "projects") return undefined
      const cursor = routeScripts.get(name)
      if (cursor === undefined) return undefined
      const [step, next] = Cursor.advance(cursor, now)
      routeScripts.set(name, next)
      return step
    }

    const execute = (request: HttpClientRequest.HttpClientRequest, url: URL) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const count = ++served
        const body = Requests.bytesOf(request.body)
        if (scenario.record !== false) {
          recorded.push({
            method: request.method,
            url: url.toString(),
            headers: headersOf(request),
            at: now,
            body: Requests.textOf(body)
          })
        }
        const requestId = `stub-request-${String(count).padStart(6, "0")}`
        const answer = (handled: Handlers.Handled) => {
          const play = Replies.play(request, Replies.outcome(handled.reply, handled.task, requestId), requestId)
          if (handled.latency === undefined && handled.reply._tag !== "Hang") return play
          return timeLimited(
            request,
            handled.latency === undefined ? play : Effect.zipRight(Effect.sleep(handled.latency), play)
          )
        }
        const refuse = (reply: Replies.Answering) => answer({ reply, task: noTask, latency: undefined })
        // The gateway's order: the route, then who is asking, then the route's script, then the route.
        const match = Routes.match(request.method, url.pathname)
        if (match instanceof Gateway.GatewayError) return yield* refuse(Replies.gatewayReply(match))
        if (keys !== undefined) {
          const rejection = yield* authenticate(keys, request, url, body)
          if (rejection !== undefined) return yield* refuse(rejection)
        }
        const scripted = routeStep(match.name, now)
        if (scripted !== undefined && scripted.reply._tag !== "Pass") {
          const task = { taskId: match.taskId ?? "", serverId: undefined }
          return yield* answer({ reply: scripted.reply, task, latency: scripted.latency })
        }
        // The route does its work now; a `pass` with a latency delays only its answer.
        const handled = handle({ name: match.name, taskId: match.taskId, url, body, now })
        return yield* answer({ ...handled, latency: sum(scripted?.latency, handled.latency) })
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
      started: Effect.sync(() => store.started()),
      setTask: (taskId, timeline) => Effect.map(Clock.currentTimeMillis, (now) => store.set(taskId, timeline, now))
    }
    // `makeWith`, not `make`: the stub needs no AbortController per request (it aborts a
    // DOMException, stack trace and all, on every answer), nor the platform's client span.
    const send = (request: HttpClientRequest.HttpClientRequest) => {
      const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
      return Either.isLeft(url)
        ? Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
        : execute(request, url.right)
    }
    return {
      control,
      client: HttpClient.makeWith<HttpClientError.HttpClientError, never, HttpClientError.HttpClientError, never>(
        (request) => Effect.flatMap(request, send),
        Effect.succeed
      )
    }
  })

const noTask = { taskId: "", serverId: undefined }

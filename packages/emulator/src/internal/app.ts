/**
 * One request's way through the emulator, in the gateway's order: route, path parameters, body
 * size, authentication, faults, then the route's handler. Every answer carries `X-Request-Id`;
 * anything unexpected becomes a Huawei-shaped 500, never a crash.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { TaskStore } from "../TaskStore.js"
import * as Auth from "./auth.js"
import * as Body from "./body.js"
import type * as FaultEngine from "./faults.js"
import * as Handlers from "./handlers.js"
import type { Settings } from "./options.js"
import * as Replies from "./replies.js"
import * as Routes from "./routes.js"
import * as Schemas from "./schemas.js"

/** 32 lower-case hex characters, as Huawei's request ids. */
export const newRequestId = (): string => globalThis.crypto.randomUUID().replaceAll("-", "")

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

const headersOf = (request: HttpServerRequest.HttpServerRequest): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers as Record<string, string | ReadonlyArray<string>>)) {
    if (value !== undefined) headers[name.toLowerCase()] = typeof value === "string" ? value : value.join(", ")
  }
  return headers
}

interface Context {
  readonly settings: Settings
  readonly store: TaskStore
  readonly faults: ReturnType<typeof FaultEngine.make>
}

type Outcome = HttpServerResponse.HttpServerResponse | Replies.ApiError

const answer = (
  context: Context,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<Outcome> =>
  Effect.gen(function*() {
    const [pathname, search = ""] = request.url.split("?", 2)
    const resolution = Routes.resolve(request.method, pathname)
    if (resolution._tag === "NotFound") return Replies.routeNotFound
    if (resolution._tag === "MethodNotAllowed") return Replies.methodNotAllowed(resolution.allowed)

    const projectId = resolution.projectId === undefined
      ? context.settings.projectId
      : decodeSegment(resolution.projectId)
    if (projectId === undefined || !Schemas.isProjectId(projectId)) {
      return Replies.badRequest("project_id is illegal: it must be 32 hex characters")
    }
    const taskId = resolution.taskId === undefined ? undefined : decodeSegment(resolution.taskId)
    if (resolution.taskId !== undefined && (taskId === undefined || !Schemas.isTaskId(taskId))) {
      return Replies.illegalTaskId("it must be 1 to 64 letters, digits, - or _")
    }

    const headers = headersOf(request)
    const body = yield* Body.read(request, headers, context.settings.maxBodyBytes)
    if (Either.isLeft(body)) return body.left

    const rejection = yield* Auth.authenticate(context.settings.gate, {
      method: request.method,
      url: request.url,
      headers,
      body: body.right
    })
    if (rejection !== undefined) return rejection

    const taskFaults = taskId === undefined ? undefined : yield* context.store.faultsFor(taskId)
    const faults = taskFaults === undefined
      ? yield* context.faults.decide(context.settings.faults, "global")
      : yield* context.faults.decide({ ...context.settings.faults, ...taskFaults }, `task:${taskId}`)
    if (faults.drop) {
      yield* Body.dropConnection(request)
      return HttpServerResponse.empty({ status: 500 })
    }
    yield* Effect.sleep(faults.latency)
    if (faults.throttled) return Replies.throttled
    if (faults.serverError !== undefined) return Replies.serverError(faults.serverError)

    const handled = yield* Handlers.handle(context.store, {
      route: resolution.route,
      projectId,
      taskId,
      query: new URLSearchParams(search),
      body: body.right
    })
    if (Either.isLeft(handled)) return handled.left
    const { body: answerBody, status } = handled.right
    if (answerBody === undefined) return HttpServerResponse.empty({ status })
    return faults.malformed ? Replies.malformed(status) : Replies.json(status, answerBody)
  })

/** The emulator as an `HttpApp`. */
export const make = (context: Context) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const requestId = newRequestId()
    const outcome = yield* answer(context, request).pipe(
      Effect.catchAllCause((cause) =>
        Effect.as(Effect.logWarning("KPS emulator: unexpected failure", cause), Replies.internalError)
      )
    )
    const response = HttpServerResponse.isServerResponse(outcome) ? outcome : Replies.error(outcome, requestId)
    return HttpServerResponse.setHeader(response, "x-request-id", requestId)
  })

/**
 * What every route goes through before its handler, in the gateway's order: path parameters,
 * declared body size, authentication from the headers, the body (read within its limits), the
 * signature over it, faults; then the handler, whose answer a fault may still malform.
 */
import * as Gateway from "@effect-kps/testing/Gateway"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { TaskStore } from "../TaskStore.js"
import * as ApiError from "./apiError.js"
import * as Body from "./body.js"
import type * as FaultEngine from "./faults.js"
import type { Settings } from "./options.js"
import * as Replies from "./replies.js"
import * as Schemas from "./schemas.js"

/** What the emulator's routes share. */
export interface Context {
  readonly settings: Settings
  readonly store: TaskStore
  readonly faults: FaultEngine.FaultEngine
  readonly limits: Body.Limits
}

/** A request whose route, parameters, credentials and body have passed. */
export interface Call {
  readonly projectId: string
  readonly query: URLSearchParams
  readonly body: Uint8Array
}

/** A successful answer: a status and a JSON body (none for the deletes). */
export interface Answer {
  readonly status: number
  readonly body: unknown
}

type Handler = (call: Call) => Effect.Effect<Answer, ApiError.Failure>

type Route = Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  ApiError.Failure,
  HttpServerRequest.HttpServerRequest | HttpRouter.RouteContext
>

/** Lower-case names, a list joined as the HTTP header it stands for. */
const headersOf = (request: HttpServerRequest.HttpServerRequest): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = typeof value === "string" ? value : String(value)
  }
  return headers
}

// Where the request says it was sent; only a signature without a signed `Host` reads it.
const originOf = (host: string | undefined): string => {
  try {
    return new URL(`http://${host ?? "127.0.0.1"}`).origin
  } catch {
    return "http://127.0.0.1"
  }
}

/** The request as sent, as the gateway checks its signature: path and query untouched. */
const headOf = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Gateway.Head, ApiError.ApiError> => {
  const headers = headersOf(request)
  return Effect.try({
    try: () => ({ method: request.method, url: new URL(request.originalUrl, originOf(headers["host"])), headers }),
    catch: () => ApiError.badRequest("The request target is not a valid URL")
  })
}

export const make = (context: Context) => {
  const { faults, limits, settings, store } = context

  const run = (projectId: string, taskId: string | undefined, handle: Handler): Route =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      // Before anything is read: a body declared too large, credentials that cannot pass.
      const declared = Body.declaredLength(request)
      if (declared !== undefined && declared > settings.maxBodyBytes) {
        return yield* ApiError.tooLarge(settings.maxBodyBytes)
      }
      const head = yield* headOf(request)
      const admission = yield* Gateway.admit(settings.keys, head)
      return yield* Body.withBody(request, limits, (body) =>
        Effect.gen(function*() {
          if (admission === "SignatureToCheck") yield* Gateway.authenticate(settings.keys, { ...head, body })

          const taskFaults = taskId === undefined ? undefined : yield* store.faultsFor(taskId)
          const decision = taskFaults === undefined
            ? yield* faults.decide(settings.faults, "global")
            : yield* faults.decide({ ...settings.faults, ...taskFaults }, `task:${taskId}`)
          if (decision.drop) {
            yield* Body.dropConnection(request)
            return HttpServerResponse.empty({ status: 500 })
          }
          yield* Effect.sleep(decision.latency)
          if (decision.throttled) return yield* ApiError.throttled()
          if (decision.serverError !== undefined) return yield* ApiError.serverError(decision.serverError)

          const answer = yield* handle({ projectId, query: head.url.searchParams, body })
          if (answer.body === undefined) return HttpServerResponse.empty({ status: answer.status })
          return decision.malformed ? Replies.malformed(answer.status) : Replies.json(answer.status, answer.body)
        }))
    })

  const projectOf = (params: Readonly<Record<string, string | undefined>>) =>
    Effect.suspend(() => {
      // IAM's project lookup has no project in its path: it answers for the emulator's project.
      const projectId = params["project_id"] ?? settings.projectId
      return Schemas.isProjectId(projectId) ? Effect.succeed(projectId) : Effect.fail(ApiError.illegalProjectId())
    })

  return {
    /** A route that names at most a project. */
    project: (handle: Handler): Route =>
      Effect.flatMap(
        HttpRouter.params,
        (params) => Effect.flatMap(projectOf(params), (projectId) => run(projectId, undefined, handle))
      ),
    /** A route that names a task: its handler gets the task id, checked. */
    task: (handle: (call: Call, taskId: string) => Effect.Effect<Answer, ApiError.Failure>): Route =>
      Effect.flatMap(HttpRouter.params, (params) =>
        Effect.flatMap(projectOf(params), (projectId) => {
          const taskId = params["task_id"]
          return taskId === undefined || !Schemas.isTaskId(taskId)
            ? Effect.fail(ApiError.illegalTaskId())
            : run(projectId, taskId, (call) => handle(call, taskId))
        }))
  }
}

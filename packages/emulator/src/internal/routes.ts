/**
 * The routes of spec sections 1, 5 and 6 on `HttpRouter`, and the gateway's answer to a request
 * that matches none: 404 `APIG.0101`, with `Allow` when its path exists for other methods. With
 * `cors`, a preflight of a route's path from an allowed origin is answered instead.
 */
import * as Gateway from "@effect-kps/testing/Gateway"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as ApiError from "./apiError.js"
import * as Cors from "./cors.js"
import * as Endpoint from "./endpoint.js"
import * as Handlers from "./handlers.js"

// As the gateway matches paths: exactly, case and slashes included. Path parameters are checked
// by the routes (a long one gets 400, not 404).
const routerConfig = {
  caseSensitive: true,
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  maxParamLength: Number.MAX_SAFE_INTEGER
}

const router = (context: Endpoint.Context) => {
  const endpoint = Endpoint.make(context)
  const handlers = Handlers.make(context.store, context.settings.refuseServers)
  return HttpRouter.empty.pipe(
    HttpRouter.get("/v3/:project_id/tasks/:task_id", endpoint.task(handlers.getTask)),
    HttpRouter.post("/v3/:project_id/keypairs/associate", endpoint.project(handlers.associate)),
    HttpRouter.post("/v3/:project_id/keypairs/disassociate", endpoint.project(handlers.disassociate)),
    HttpRouter.post("/v3/:project_id/keypairs/batch-associate", endpoint.project(handlers.batchAssociate)),
    HttpRouter.get("/v3/:project_id/running-tasks", endpoint.project(handlers.runningTasks)),
    HttpRouter.get("/v3/:project_id/failed-tasks", endpoint.project(handlers.failedTasks)),
    HttpRouter.del("/v3/:project_id/failed-tasks", endpoint.project(handlers.deleteFailedTasks)),
    HttpRouter.del("/v3/:project_id/failed-tasks/:task_id", endpoint.task(handlers.deleteFailedTask)),
    // IAM's project lookup (section 5), so that AK/SK clients without a project id work too.
    HttpRouter.get("/v3/projects", endpoint.project(handlers.projects))
  )
}

/** Every path of a router, with its methods. */
const pathsOf = <E, R>(
  routes: HttpRouter.HttpRouter<E, R>
): ReadonlyMap<HttpRouter.PathInput, ReadonlyArray<string>> => {
  const methods = new Map<HttpRouter.PathInput, Array<string>>()
  Chunk.forEach(routes.routes, (route) => methods.set(route.path, [...(methods.get(route.path) ?? []), route.method]))
  return methods
}

/** Every path of a router, answering 404 `APIG.0101` with the methods it has. */
const otherMethods = (
  paths: ReadonlyMap<HttpRouter.PathInput, ReadonlyArray<string>>
): HttpRouter.HttpRouter<Gateway.GatewayError> =>
  [...paths].reduce<HttpRouter.HttpRouter<Gateway.GatewayError>>(
    (fallback, [path, allowed]) => HttpRouter.all(fallback, path, Effect.fail(Gateway.routeNotFound(allowed))),
    HttpRouter.empty
  )

/** Every path of a router, answering a preflight (before authentication: a preflight has no credentials). */
const preflights = (paths: ReadonlyMap<HttpRouter.PathInput, ReadonlyArray<string>>): HttpRouter.HttpRouter =>
  [...paths.keys()].reduce<HttpRouter.HttpRouter>(
    (router, path) => HttpRouter.options(router, path, Effect.succeed(Cors.preflight)),
    HttpRouter.empty
  )

// find-my-way finds no route for a path that is not valid percent-encoded UTF-8, where the
// gateway reads such a segment as a literal, illegal value (a task id `%E0%A4%A` gets 400
// KPS.0001, not 404). Escaping the segment's `%`s makes it that literal.
const routable = (request: HttpServerRequest.HttpServerRequest): HttpServerRequest.HttpServerRequest => {
  const query = request.url.indexOf("?")
  const path = query === -1 ? request.url : request.url.slice(0, query)
  const segments = path.split("/")
  if (segments.every((segment) => Gateway.decodeSegment(segment) !== undefined)) return request
  const escaped = segments.map((segment) =>
    Gateway.decodeSegment(segment) === undefined ? segment.replaceAll("%", "%25") : segment
  )
  return request.modify({ url: `${escaped.join("/")}${request.url.slice(path.length)}` })
}

/** The emulator's routes as an app that fails with a Huawei-shaped answer, whatever the request. */
export const make = (
  context: Endpoint.Context
): Effect.Effect<
  Effect.Effect<HttpServerResponse.HttpServerResponse, ApiError.Failure, HttpServerRequest.HttpServerRequest>
> => {
  const routes = router(context)
  const paths = pathsOf(routes)
  const cors = context.settings.cors
  return Effect.map(
    Effect.all([
      HttpRouter.toHttpApp(routes),
      HttpRouter.toHttpApp(otherMethods(paths)),
      HttpRouter.toHttpApp(preflights(paths))
    ]),
    ([app, fallback, preflight]) =>
      Effect.flatMap(
        HttpServerRequest.HttpServerRequest,
        (request) =>
          (cors !== undefined && Cors.isAllowedPreflight(cors, request) ? preflight : app).pipe(
            Effect.catchTag("RouteNotFound", () => fallback),
            Effect.catchTag("RouteNotFound", () => Effect.fail(Gateway.routeNotFound())),
            Effect.provideService(HttpServerRequest.HttpServerRequest, routable(request))
          )
      )
  ).pipe(HttpRouter.withRouterConfig(routerConfig))
}

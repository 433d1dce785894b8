/**
 * The emulator as an `HttpApp`: its routes, every failure turned into Huawei's error body in one
 * place, an `X-Request-Id` (and, with `cors`, the CORS headers) on every answer; anything
 * unexpected a Huawei-shaped 500, never a crash.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as ApiError from "./apiError.js"
import * as Body from "./body.js"
import * as Cors from "./cors.js"
import type * as Endpoint from "./endpoint.js"
import * as Replies from "./replies.js"
import * as Routes from "./routes.js"

/** 32 lower-case hex characters, as Huawei's request ids. */
export const newRequestId = (): string => globalThis.crypto.randomUUID().replaceAll("-", "")

export const make = (context: Endpoint.Context) =>
  Effect.map(Routes.make(context), (routes) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const requestId = newRequestId()
      const response = yield* routes.pipe(
        Effect.catchAll((failure) => Effect.succeed(Replies.error(failure, requestId))),
        Effect.catchAllCause((cause) =>
          Effect.as(
            Effect.logWarning("KPS emulator: unexpected failure", cause),
            Replies.error(ApiError.internalError(), requestId)
          )
        )
      )
      return HttpServerResponse.setHeaders(response, {
        ...Cors.headers(context.settings.cors, request),
        "x-request-id": requestId,
        // An answer given before the body has arrived (a 401, a 413): were the connection to close
        // now, as Node closes one whose client asked for `close`, the client still sending would be
        // reset (EPIPE) before it reads the answer. Kept open, Node reads the rest of the body and
        // drops it, bounded by `requestTimeout`, and the client closes once it has its answer.
        ...(Body.isArriving(request) ? { connection: "keep-alive" } : {})
      })
    }))

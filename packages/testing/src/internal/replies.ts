import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import type { Reply } from "../KpsTesting.js"
import { StubResponse } from "./response.js"

const encoder = /* @__PURE__ */ new TextEncoder()

const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}) => {
  const bytes = encoder.encode(JSON.stringify(body))
  return {
    status,
    body: bytes,
    // Like the service, a length up front: the client reads the body in one go.
    headers: { "content-type": "application/json", "content-length": String(bytes.length), ...headers }
  }
}

const errorBody = (reply: Extract<Reply, { readonly _tag: "ApiError" }>, requestId: string) => {
  switch (reply.shape) {
    case "nested":
      return { error: { error_code: reply.errorCode, error_msg: reply.errorMessage, request_id: requestId } }
    case "code":
      return { code: reply.errorCode, message: reply.errorMessage }
    case "flat":
      return { error_code: reply.errorCode, error_msg: reply.errorMessage, request_id: requestId }
  }
}

const socketMessages = {
  ConnectionRefused: ["ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:443"],
  ConnectionReset: ["ECONNRESET", "read ECONNRESET"],
  DnsLookup: ["ENOTFOUND", "getaddrinfo ENOTFOUND kms.example.invalid"]
} as const

/** What a request gets: an HTTP answer, a transport failure, or no answer at all. */
export type Outcome =
  | {
    readonly _tag: "Answer"
    readonly status: number
    readonly body: Uint8Array
    readonly headers: Record<string, string>
  }
  | { readonly _tag: "Fail"; readonly reason: keyof typeof socketMessages }
  | { readonly _tag: "Hang" }

/** Turns a scripted reply for one task into what the wire would carry. */
export const outcome = (reply: Reply, taskId: string, requestId: string): Outcome => {
  switch (reply._tag) {
    case "Task": {
      const body: Record<string, unknown> = {
        task_id: taskId,
        task_status: reply.status,
        server_id: reply.serverId,
        ...reply.extra
      }
      for (const key of reply.omit) delete body[key]
      return { _tag: "Answer", ...json(200, body) }
    }
    case "ApiError":
      return { _tag: "Answer", ...json(reply.status, errorBody(reply, requestId), reply.headers) }
    case "Raw":
      return {
        _tag: "Answer",
        status: reply.status,
        body: typeof reply.body === "string" ? encoder.encode(reply.body) : reply.body,
        headers: { ...reply.headers }
      }
    case "TransportError":
      return { _tag: "Fail", reason: reply.reason }
    case "Hang":
      return { _tag: "Hang" }
  }
}

/** Plays an outcome as the platform's `HttpClient` would. */
export const play = (
  request: HttpClientRequest.HttpClientRequest,
  result: Outcome,
  requestId: string
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  switch (result._tag) {
    case "Answer":
      // As fetch treats a 407 it has no proxy credentials for: a network error, not an answer.
      if (result.status === 407) {
        return Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new TypeError("fetch failed", { cause: new Error("proxy authentication required") })
          })
        )
      }
      return Effect.succeed(
        new StubResponse(request, result.status, { "x-request-id": requestId, ...result.headers }, result.body)
      )
    case "Fail": {
      // The shape Node's fetch gives: TypeError("fetch failed") caused by the socket error.
      const [code, message] = socketMessages[result.reason]
      const cause = new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) })
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
    }
    case "Hang":
      return Effect.never
  }
}

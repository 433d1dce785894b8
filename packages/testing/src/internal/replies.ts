import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import type * as Gateway from "../Gateway.js"
import type { Reply } from "./models.js"
import { StubResponse } from "./response.js"

/** A reply that answers: every scripted reply but `pass`, which the stub resolves first. */
export type Answering = Exclude<Reply, { readonly _tag: "Pass" }>

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

/** A JSON answer, with its length declared, as the stub's routes give them. */
export const jsonReply = (status: number, body: unknown): Answering => ({ _tag: "Raw", ...json(status, body) })

/** An answer without a body: what the deletes give. */
export const emptyReply = (status: number): Answering => ({
  _tag: "Raw",
  status,
  body: new Uint8Array(0),
  headers: { "content-length": "0" }
})

/** A gateway answer as a scripted reply: Huawei's flat shape. */
export const gatewayReply = (error: Gateway.GatewayError): Answering => ({
  _tag: "ApiError",
  status: error.status,
  errorCode: error.errorCode,
  errorMessage: error.errorMessage,
  shape: "flat",
  headers: error.headers
})

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

/**
 * Turns a scripted reply into what the wire would carry; a task's reply names the task, and the
 * server it works on unless the reply names one.
 */
export const outcome = (
  reply: Answering,
  task: { readonly taskId: string; readonly serverId: string | undefined },
  requestId: string
): Outcome => {
  switch (reply._tag) {
    case "Task": {
      const body: Record<string, unknown> = {
        task_id: task.taskId,
        task_status: reply.status,
        server_id: reply.serverId ?? task.serverId,
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

/**
 * The emulator's own error answers (the gateway's rules, for authentication, routes and unknown
 * tasks, come from `@effect-kps/testing`'s `Gateway`). Handlers fail with these; the app turns
 * every failure into Huawei's error body in one place (`Replies.error`).
 */
import type * as Gateway from "@effect-kps/testing/Gateway"
import * as Data from "effect/Data"

/** An error answer: its status, Huawei's `error_code` and `error_msg`, and extra headers. */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly errorCode: string
  readonly errorMessage: string
  readonly headers: Readonly<Record<string, string>>
}> {}

/** What a request can fail with: the emulator's answers or the gateway's. */
export type Failure = ApiError | Gateway.GatewayError

const answer = (status: number, errorCode: string, errorMessage: string, headers: Record<string, string> = {}) =>
  new ApiError({ status, errorCode, errorMessage, headers })

// The gateway's answers about the request itself (spec section 2).
export const badRequest = (message: string): ApiError => answer(400, "APIG.0201", message)

export const tooLarge = (limit: number): ApiError =>
  answer(413, "APIG.0201", `Request entity too large: the body must be at most ${limit} bytes`)

export const unparsable = (): ApiError => badRequest("Bad request: the HTTP request could not be parsed")

export const headersTooLarge = (): ApiError => answer(431, "APIG.0201", "Request header fields too large")

export const requestTimeout = (): ApiError =>
  answer(408, "APIG.0201", "Request timeout: the request did not arrive in time")

export const busy = (): ApiError =>
  answer(503, "APIG.0201", "Service busy: too many request bodies in flight, retry later", { "retry-after": "1" })

export const throttled = (): ApiError =>
  answer(429, "APIG.0308", "The request is throttled: policy user over ratelimit")

export const serverError = (status: 500 | 502 | 503 | 504): ApiError =>
  status === 502 || status === 504
    ? answer(
      status,
      "APIG.0201",
      status === 502 ? "Backend unavailable (injected by the emulator)" : "Backend timeout (injected)"
    )
    : answer(status, "KPS.0003", "Internal server error (injected by the emulator)")

export const internalError = (): ApiError => answer(500, "KPS.0003", "Internal server error")

export const illegalProjectId = (): ApiError => badRequest("project_id is illegal: it must be 32 hex characters")

// KPS's answer about a task id it cannot read (an unknown one is the gateway module's).
export const illegalTaskId = (): ApiError =>
  answer(400, "KPS.0001", "taskId is illegal: it must be 1 to 64 letters, digits, - or _")

/** The emulator's refusal of a server it was told to refuse (`refuseServers`). */
export const refusedServer = (serverId: string): ApiError =>
  answer(400, "EMULATOR.0002", `The emulator was told to refuse server ${serverId}`)

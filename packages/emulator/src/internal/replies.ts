import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/** An error answer: its status, code and message, in Huawei's flat shape. */
export interface ApiError {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const maxMessageLength = 512

const bounded = (message: string) =>
  message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 1)}…` : message

/** `{"error_code", "error_msg", "request_id"}`, the gateway's shape (KPS's, plus the request id). */
export const error = (failure: ApiError, requestId: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    { error_code: failure.code, error_msg: bounded(failure.message), request_id: requestId },
    { status: failure.status, headers: failure.headers ?? {} }
  )

export const json = (status: number, body: unknown): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body, { status })

// The gateway's own answers (spec section 2).
export const routeNotFound: ApiError = {
  status: 404,
  code: "APIG.0101",
  message: "The API does not exist or has not been published in the environment"
}

// The gateway routes by method and path: an API not published for this method does not exist for
// it, so the answer is APIG.0101's 404, with the methods that do exist as a hint.
export const methodNotAllowed = (allowed: ReadonlyArray<string>): ApiError => ({
  status: 404,
  code: "APIG.0101",
  message: `The API does not exist for this method; allowed: ${allowed.join(", ")}`,
  headers: { allow: allowed.join(", ") }
})

export const unauthorized = (detail: string): ApiError => ({
  status: 401,
  code: "APIG.0301",
  message: `Incorrect IAM authentication information: ${detail}`
})

export const throttled: ApiError = {
  status: 429,
  code: "APIG.0308",
  message: "The request is throttled: policy user over ratelimit"
}

export const badRequest = (message: string): ApiError => ({ status: 400, code: "APIG.0201", message })

export const tooLarge = (limit: number): ApiError => ({
  status: 413,
  code: "APIG.0201",
  message: `Request entity too large: the body must be at most ${limit} bytes`
})

export const serverError = (status: 500 | 502 | 503 | 504): ApiError =>
  status === 502 || status === 504
    ? {
      status,
      code: "APIG.0201",
      message: status === 502 ? "Backend unavailable (injected by the emulator)" : "Backend timeout (injected)"
    }
    : { status, code: "KPS.0003", message: "Internal server error (injected by the emulator)" }

export const internalError: ApiError = { status: 500, code: "KPS.0003", message: "Internal server error" }

// KPS's answers about tasks: the code this project's stubs use for a task it does not know.
export const illegalTaskId = (detail: string): ApiError => ({
  status: 400,
  code: "KPS.0001",
  message: `taskId is illegal: ${detail}`
})

export const taskNotFound = (taskId: string): ApiError => ({
  status: 404,
  code: "KPS.0001",
  message: `The task ${taskId} does not exist`
})

/** A successful body cut in half: what a malformed-body fault sends. */
export const malformed = (status: number): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(`{"task_id": "${"0".repeat(8)}", "task_status": "RUN`, {
    status,
    contentType: "application/json"
  })

/** The bodies the emulator answers with: JSON, Huawei's error shape, and a malformed body. */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { Failure } from "./apiError.js"

const maxMessageLength = 512

const bounded = (message: string) =>
  message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 1)}…` : message

/** `{"error_code", "error_msg", "request_id"}`, the gateway's shape (KPS's, plus the request id). */
export const errorBody = (failure: Failure, requestId: string) => ({
  error_code: failure.errorCode,
  error_msg: bounded(failure.errorMessage),
  request_id: requestId
})

export const error = (failure: Failure, requestId: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(errorBody(failure, requestId), { status: failure.status, headers: failure.headers })

export const json = (status: number, body: unknown): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body, { status })

/** A successful body cut in half: what a malformed-body fault sends. */
export const malformed = (status: number): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(`{"task_id": "${"0".repeat(8)}", "task_status": "RUN`, {
    status,
    contentType: "application/json"
  })

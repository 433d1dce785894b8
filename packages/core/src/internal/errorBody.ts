import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Scrubber from "./scrubber.js"

/**
 * How much of each field of an error answer is kept, in UTF-8 bytes: the message (and the raw text
 * of a body that fits no shape) 1 KiB; codes, request ids and `Retry-After`, which are short on
 * any honest server, less.
 */
export const limits = {
  errorMessage: 1024,
  errorCode: 256,
  requestId: 256,
  retryAfter: 128
} as const

export interface ErrorBody {
  readonly errorCode: string
  readonly errorMessage: string
  readonly requestId: string | undefined
}

const text = (u: unknown): string | undefined =>
  typeof u === "string" ? u : typeof u === "number" ? String(u) : undefined

const fromRecord = (record: { readonly [key: string]: unknown }): Omit<ErrorBody, "requestId"> | undefined => {
  const errorCode = text(record.error_code) ?? text(record.code)
  const errorMessage = text(record.error_msg) ?? text(record.message) ?? text(record.error_message)
  return errorCode === undefined && errorMessage === undefined
    ? undefined
    : { errorCode: errorCode ?? "", errorMessage: errorMessage ?? "" }
}

const read = (body: string): ErrorBody => {
  const json = Either.getOrUndefined(Either.try(() => JSON.parse(body) as unknown))
  if (Predicate.isRecord(json)) {
    const nested = json.error
    const parsed = (Predicate.isRecord(nested) ? fromRecord(nested) : undefined) ??
      fromRecord(json) ??
      (typeof nested === "string" ? { errorCode: "", errorMessage: nested } : undefined)
    if (parsed !== undefined) {
      const requestId = text(json.request_id) ?? (Predicate.isRecord(nested) ? text(nested.request_id) : undefined)
      return { ...parsed, requestId }
    }
  }
  return { errorCode: "", errorMessage: body, requestId: undefined }
}

/** A field from the wire, bounded and scrubbed; `undefined` stays so. */
export const keep = <A extends string | undefined>(
  scrub: Scrubber.Scrubber,
  value: A,
  limit: number
): A => (value === undefined ? value : Scrubber.keep(scrub, value, limit)) as A

/**
 * Reads a Huawei error body in any of its shapes: flat `{error_code, error_msg}`, nested
 * `{error: {...}}`, or `{code, message}`; anything else keeps the start of the raw text. Every
 * field is bounded (see {@link limits}) and scrubbed.
 */
export const parse = (body: string, scrub: Scrubber.Scrubber = Scrubber.none): ErrorBody => {
  const fields = read(body)
  return {
    errorCode: keep(scrub, fields.errorCode, limits.errorCode),
    errorMessage: keep(scrub, fields.errorMessage, limits.errorMessage),
    requestId: keep(scrub, fields.requestId, limits.requestId)
  }
}

/** An answer outside 2xx, as far as an error needs it. */
export interface ErrorAnswer {
  readonly status: number
  readonly body: string
  readonly requestId?: string | undefined
  readonly retryAfter?: string | undefined
}

/**
 * The fields of the `KpsApiError` of an answer: its body read by {@link parse}, and its headers
 * (`X-Request-Id` wins over a request id in the body) bounded and scrubbed like the body.
 */
export const apiErrorFields = (answer: ErrorAnswer, scrub: Scrubber.Scrubber = Scrubber.none) => {
  const parsed = parse(answer.body, scrub)
  return {
    status: answer.status,
    errorCode: parsed.errorCode,
    errorMessage: parsed.errorMessage,
    requestId: keep(scrub, answer.requestId, limits.requestId) ?? parsed.requestId,
    retryAfter: keep(scrub, answer.retryAfter, limits.retryAfter)
  }
}

import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"

/** How much of an unparseable error body is kept as the message, in UTF-8 bytes. */
export const rawMessageLimit = 1024

const encoder = /* @__PURE__ */ new TextEncoder()
const decoder = /* @__PURE__ */ new TextDecoder()

/** The longest prefix of `text` that fits in `limit` UTF-8 bytes, never splitting a character. */
const truncateUtf8 = (text: string, limit: number): string => {
  // Each UTF-16 code unit takes at most 3 bytes: short texts need no encoding at all.
  if (text.length * 3 <= limit) return text
  const bytes = encoder.encode(text)
  if (bytes.length <= limit) return text
  let end = limit
  // Back up over continuation bytes (10xxxxxx) to the start of the character that was cut.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--
  return decoder.decode(bytes.subarray(0, end))
}

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

/**
 * Reads a Huawei error body in any of its shapes: flat `{error_code, error_msg}`, nested
 * `{error: {...}}`, or `{code, message}`; anything else keeps the start of the raw text.
 */
export const parse = (body: string): ErrorBody => {
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
  return { errorCode: "", errorMessage: truncateUtf8(body, rawMessageLimit), requestId: undefined }
}

import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { KpsInvalidInput } from "../KpsError.js"

/** The longest task id or project id accepted. */
export const maxIdLength = 128

const invalid = (field: string, description: string) => Effect.fail(new KpsInvalidInput({ field, description }))

const preview = (value: string): string => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)

// Characters that would change the URL's shape, or that no id contains: reserved URL characters,
// the backslash some URL parsers read as `/`, whitespace, and control, format and lone-surrogate
// code points (the last make `encodeURIComponent` throw).
const forbidden = /[/?#%\\\s\p{C}\p{Z}]/u

/**
 * Checks a path parameter (task id, project id) before it goes into a URL.
 */
export const validateId = (field: string, value: unknown): Effect.Effect<string, KpsInvalidInput> => {
  if (typeof value !== "string") return invalid(field, `must be a string, got ${typeof value}`)
  if (value.length === 0) return invalid(field, "must not be empty")
  if (value.length > maxIdLength) {
    return invalid(field, `must be at most ${maxIdLength} characters, got ${value.length}`)
  }
  if (forbidden.test(value)) {
    return invalid(
      field,
      `${preview(value)} contains a character not allowed in an id (/, ?, #, %, \\, whitespace or control)`
    )
  }
  if (value.includes("..") || value === ".") return invalid(field, `${preview(value)} must not be a dot segment`)
  return Effect.succeed(value)
}

/**
 * Checks an endpoint override and returns it without a trailing `/`: an absolute `http(s)` URL with
 * a host, optionally a path prefix, and no credentials, query or fragment.
 */
export const validateEndpoint = (value: unknown): Effect.Effect<string, KpsInvalidInput> => {
  const example = "an absolute http(s) URL such as https://kms.cn-north-4.myhuaweicloud.com"
  if (typeof value !== "string" || value.trim() === "") return invalid("endpoint", `must be ${example}`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return invalid("endpoint", `${preview(value)} is not ${example}`)
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return invalid("endpoint", `${preview(value)} must use http or https`)
  }
  if (url.hostname === "") return invalid("endpoint", `${preview(value)} has no host`)
  if (url.username !== "" || url.password !== "") {
    return invalid("endpoint", "must not carry credentials; pass them as `credentials`")
  }
  if (url.search !== "" || url.hash !== "") {
    return invalid("endpoint", `${preview(value)} must not have a query or fragment`)
  }
  return Effect.succeed(`${url.origin}${url.pathname.replace(/\/+$/, "")}`)
}

/**
 * Checks a duration option: a valid `DurationInput` greater than zero (infinity means no limit).
 */
export const validateTimeout = (
  field: string,
  value: Duration.DurationInput
): Effect.Effect<Duration.Duration, KpsInvalidInput> => {
  const decoded = Duration.decodeUnknown(value)
  if (decoded._tag === "None") return invalid(field, `${String(value)} is not a duration`)
  if (Duration.lessThanOrEqualTo(decoded.value, Duration.zero)) return invalid(field, "must be greater than zero")
  return Effect.succeed(decoded.value)
}

// Header values must be visible ASCII: anything else is rejected by fetch with an error that
// would quote the value.
const headerSafe = /^[\x21-\x7e]+$/
const headerSafeWithSpaces = /^[\x20-\x7e]*$/

/**
 * Checks a secret that travels in a header, without ever quoting it.
 */
export const validateSecretHeader = (field: string, value: string): Effect.Effect<void, KpsInvalidInput> =>
  value.length === 0
    ? invalid(field, "must not be empty")
    : headerSafe.test(value)
    ? Effect.void
    : invalid(field, "must contain only visible ASCII characters (no spaces, line breaks or control characters)")

/**
 * Checks a non-secret header value such as the `User-Agent` suffix.
 */
export const validateHeaderText = (field: string, value: string): Effect.Effect<string, KpsInvalidInput> =>
  value.length <= 256 && headerSafeWithSpaces.test(value)
    ? Effect.succeed(value.trim())
    : invalid(field, "must be at most 256 printable ASCII characters")

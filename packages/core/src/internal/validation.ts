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
 * What is wrong with a path parameter (task id, project id), or `undefined` when it can go into a
 * URL. Synchronous: it runs on every call.
 */
export const idProblem = (field: string, value: unknown): KpsInvalidInput | undefined => {
  const problem = (description: string) => new KpsInvalidInput({ field, description })
  if (typeof value !== "string") return problem(`must be a string, got ${typeof value}`)
  if (value.length === 0) return problem("must not be empty")
  if (value.length > maxIdLength) return problem(`must be at most ${maxIdLength} characters, got ${value.length}`)
  if (forbidden.test(value)) {
    return problem(
      `${preview(value)} contains a character not allowed in an id (/, ?, #, %, \\, whitespace or control)`
    )
  }
  if (value.includes("..") || value === ".") return problem(`${preview(value)} must not be a dot segment`)
  return undefined
}

/**
 * Checks a path parameter (task id, project id) before it goes into a URL.
 */
export const validateId = (field: string, value: unknown): Effect.Effect<string, KpsInvalidInput> => {
  const problem = idProblem(field, value)
  return problem === undefined ? Effect.succeed(value as string) : Effect.fail(problem)
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
 * A duration option decoded, or what is wrong with it: a valid `DurationInput` greater than zero
 * (infinity means no limit).
 */
export const timeoutOrProblem = (
  field: string,
  value: Duration.DurationInput
): Duration.Duration | KpsInvalidInput => {
  const decoded = Duration.decodeUnknown(value)
  if (decoded._tag === "None") return new KpsInvalidInput({ field, description: `${String(value)} is not a duration` })
  if (Duration.lessThanOrEqualTo(decoded.value, Duration.zero)) {
    return new KpsInvalidInput({ field, description: "must be greater than zero" })
  }
  return decoded.value
}

/**
 * Checks a duration option: a valid `DurationInput` greater than zero (infinity means no limit).
 */
export const validateTimeout = (
  field: string,
  value: Duration.DurationInput
): Effect.Effect<Duration.Duration, KpsInvalidInput> => {
  const result = timeoutOrProblem(field, value)
  return result instanceof KpsInvalidInput ? Effect.fail(result) : Effect.succeed(result)
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

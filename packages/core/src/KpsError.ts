/**
 * The typed failures of a KPS call, and how a retrying caller should treat each.
 *
 * @since 0.1.0
 */
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ErrorBody from "./internal/errorBody.js"
import * as ParseIssue from "./internal/parseIssue.js"

const requestIdSuffix = (requestId: string | undefined) => requestId === undefined ? "" : ` (request id ${requestId})`

/**
 * KPS, or the API gateway in front of it, answered with a status outside 2xx. The body is parsed
 * in its flat (`error_code`/`error_msg`), nested (`error: {...}`) and `code`/`message` shapes; a
 * body that fits none (an HTML page from a gateway, say) leaves `errorCode` empty and keeps the
 * first 1 KiB of the text as `errorMessage`.
 *
 * @since 0.1.0
 * @category errors
 */
export class KpsApiError
  extends /* @__PURE__ */ Schema.TaggedError<KpsApiError>("@effect-kps/core/KpsApiError")("KpsApiError", {
    status: Schema.Number,
    errorCode: Schema.String,
    errorMessage: Schema.String,
    requestId: Schema.optional(Schema.String),
    /** The raw `Retry-After` header, when the answer carried one. */
    retryAfter: Schema.optional(Schema.String)
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const code = this.errorCode === "" ? "" : ` ${this.errorCode}`
    const text = this.errorMessage === "" ? "" : `: ${this.errorMessage}`
    return `KPS answered HTTP ${this.status}${code}${text}${requestIdSuffix(this.requestId)}`
  }
}

/**
 * The {@link KpsApiError} of an answer outside 2xx, its body read as the client reads it: any of
 * Huawei's error shapes, or the first 1 KiB of a body that fits none. The `X-Request-Id` header
 * wins over a request id in the body. For code that sends KPS requests of its own.
 *
 * @example
 * ```ts
 * import { KpsError } from "@effect-kps/core"
 *
 * const error = KpsError.fromErrorAnswer({
 *   status: 429,
 *   body: `{"error_code":"APIG.0308","error_msg":"policy user over ratelimit"}`,
 *   requestId: "0f5a2c"
 * })
 * // error.message: KPS answered HTTP 429 APIG.0308: policy user over ratelimit (request id 0f5a2c)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromErrorAnswer = (answer: {
  readonly status: number
  readonly body: string
  readonly requestId?: string | undefined
  readonly retryAfter?: string | undefined
}): KpsApiError => new KpsApiError(ErrorBody.apiErrorFields(answer))

/**
 * What a `ParseError` says is wrong, without printing the value that failed: where (the path) and
 * what (the expected schema, the kind of value found). For values from the wire or from storage:
 * Effect's own formatters print the value, recursively, so a deeply nested one overflows the
 * stack, and a secret or a huge string in it would be copied into the message.
 *
 * @example
 * ```ts
 * import { KpsError } from "@effect-kps/core"
 * import { Either, Schema } from "effect"
 *
 * const result = Schema.decodeUnknownEither(Schema.Struct({ task_id: Schema.String }))({ task_id: [[["secret"]]] })
 * if (Either.isLeft(result)) KpsError.describeParseError(result.left)
 * // at ["task_id"]: expected string, got an array
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const describeParseError: (error: ParseResult.ParseError) => string = ParseIssue.describe

/**
 * KPS answered 2xx, but the body is not JSON or not a task.
 *
 * @since 0.1.0
 * @category errors
 */
export class KpsDecodeError
  extends /* @__PURE__ */ Schema.TaggedError<KpsDecodeError>("@effect-kps/core/KpsDecodeError")("KpsDecodeError", {
    status: Schema.Number,
    requestId: Schema.optional(Schema.String),
    description: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `KPS answered HTTP ${this.status} with an unreadable body: ${this.description}${
      requestIdSuffix(this.requestId)
    }`
  }
}

/**
 * Why a request got no answer.
 *
 * @since 0.1.0
 * @category models
 */
export type TransportFailure = typeof TransportFailure.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const TransportFailure = /* @__PURE__ */ Schema.Literal(
  "Timeout",
  "ConnectionRefused",
  "ConnectionReset",
  "DnsLookup",
  "Transport"
)

/**
 * The request never got an answer: the connection was refused or reset, the host did not resolve,
 * the per-request timeout passed, or the transport failed otherwise.
 *
 * @since 0.1.0
 * @category errors
 */
export class KpsTransportError
  extends /* @__PURE__ */ Schema.TaggedError<KpsTransportError>("@effect-kps/core/KpsTransportError")(
    "KpsTransportError",
    {
      reason: TransportFailure,
      description: Schema.String
    }
  )
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `KPS request got no answer (${this.reason}): ${this.description}`
  }
}

/**
 * Input that cannot make a valid request, caught before anything is sent: an empty or malformed
 * task id or project id, a malformed endpoint, an unknown region, unusable credentials or options.
 *
 * @since 0.1.0
 * @category errors
 */
export class KpsInvalidInput
  extends /* @__PURE__ */ Schema.TaggedError<KpsInvalidInput>("@effect-kps/core/KpsInvalidInput")("KpsInvalidInput", {
    /** The option or argument at fault, such as `taskId`, `projectId`, `endpoint` or `region`. */
    field: Schema.String,
    description: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Invalid ${this.field}: ${this.description}`
  }
}

/**
 * Any failure of a KPS call.
 *
 * @since 0.1.0
 * @category models
 */
export type KpsError = KpsApiError | KpsDecodeError | KpsTransportError | KpsInvalidInput

/**
 * The union of KPS failures as a `Schema`, for persisting or sending errors.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KpsError: Schema.Union<
  [typeof KpsApiError, typeof KpsDecodeError, typeof KpsTransportError, typeof KpsInvalidInput]
> = /* @__PURE__ */ Schema.Union(KpsApiError, KpsDecodeError, KpsTransportError, KpsInvalidInput)

/**
 * Whether a value is one of the {@link KpsError} classes.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isKpsError: (u: unknown) => u is KpsError = /* @__PURE__ */ Schema.is(KpsError)

/**
 * How a caller should treat a failure: `throttled` (slow down, then retry), `transient` (retry with
 * backoff) or `terminal` (do not retry).
 *
 * @since 0.1.0
 * @category models
 */
export type Classification = "throttled" | "transient" | "terminal"

const transientStatuses: ReadonlySet<number> = /* @__PURE__ */ new Set([408, 500, 502, 503, 504])

/**
 * Classifies a failure for retrying. 429 and the gateway's `APIG.0308` are throttled; 408, 500,
 * 502, 503, 504 and every transport error are transient; everything else is terminal. 401 and 403
 * are never retried: repeated signature failures lock an access key.
 *
 * @example
 * ```ts
 * import { KpsError } from "@effect-kps/core"
 *
 * KpsError.classify(new KpsError.KpsApiError({ status: 429, errorCode: "APIG.0308", errorMessage: "" }))
 * // "throttled"
 * ```
 *
 * @since 0.1.0
 * @category classification
 */
export const classify = (error: KpsError): Classification => {
  switch (error._tag) {
    case "KpsApiError":
      if (error.status === 429 || error.errorCode === "APIG.0308") return "throttled"
      return transientStatuses.has(error.status) ? "transient" : "terminal"
    case "KpsTransportError":
      return "transient"
    case "KpsDecodeError":
    case "KpsInvalidInput":
      return "terminal"
  }
}

/**
 * SDK-HMAC-SHA256, Huawei Cloud's AK/SK request signature, byte for byte as the official signers
 * compute it. Built on Web Crypto, so it runs alike in Node 20 and in browsers; the signing date
 * comes from Effect's `Clock`, so tests pin it with `TestClock`.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "./internal/signer/crypto.js"
import * as internal from "./internal/signer/sign.js"
import type { SignatureError } from "./internal/signer/signatureError.js"

/**
 * The signing algorithm's name, first word of the `Authorization` header.
 *
 * @since 0.1.0
 * @category constants
 */
export const algorithm: "SDK-HMAC-SHA256" = internal.algorithm

/**
 * The SHA-256 of an empty body, the body hash of every GET.
 *
 * @since 0.1.0
 * @category constants
 */
export const emptyBodyHash: string = internal.emptyBodyHash

/**
 * An access key pair. The secret stays `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SigningKey {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
}

/**
 * A request to sign or verify: its method, full URL (path percent-encoded as sent, query
 * included), headers in any case, and the exact body bytes sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array | undefined
}

/**
 * Which headers to sign. `"default"` signs `host`, `x-sdk-date`, and each of `content-type`,
 * `x-project-id` and `x-security-token` that is present, as the gateway expects; `"all"` signs
 * `host`, `x-sdk-date` and every header of the request; a list signs exactly those names and
 * `x-sdk-date` (the Go SDK's unit vector signs `x-sdk-date` alone).
 *
 * @since 0.1.0
 * @category models
 */
export type SignedHeaders = "default" | "all" | ReadonlyArray<string>

/**
 * A computed signature, with the intermediate texts for debugging a mismatch with the gateway.
 *
 * @since 0.1.0
 * @category models
 */
export interface Signature {
  /** `X-Sdk-Date`, as `YYYYMMDDTHHMMSSZ`. */
  readonly sdkDate: string
  /** Lower-case, byte-ordered names of the signed headers. */
  readonly signedHeaders: ReadonlyArray<string>
  readonly canonicalRequest: string
  readonly stringToSign: string
  /** Lower-case hex HMAC-SHA256. */
  readonly signature: string
  /** `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` */
  readonly authorization: string
  /** The headers to add to the request: `Authorization`, and `X-Sdk-Date` unless it was there. */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Signs a request. An `X-Sdk-Date` header already present is used as it is; otherwise the date is
 * read from the `Clock`. A `host` header, when present, wins over the URL's host.
 *
 * @example
 * ```ts
 * import { Signer } from "@effect-kps/core"
 * import { Effect, Redacted } from "effect"
 *
 * const signature = Signer.sign(
 *   { method: "GET", url: new URL("https://example.huaweicloud.com/path?limit=1"), headers: { "X-Sdk-Date": "20060102T150405Z" } },
 *   { accessKeyId: "AccessKey", secretAccessKey: Redacted.make("SecretKey") },
 *   { signedHeaders: ["x-sdk-date"] }
 * )
 * Effect.runPromise(signature).then((s) => s.signature)
 * // "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
 * ```
 *
 * @since 0.1.0
 * @category signing
 */
export const sign: (
  request: Request,
  key: SigningKey,
  options?: { readonly signedHeaders?: SignedHeaders | undefined }
) => Effect.Effect<Signature> = (request, key, options) => internal.sign(request, key, options?.signedHeaders)

/**
 * Signs a platform `HttpClientRequest`, adding `X-Sdk-Date`, `Authorization` and, for temporary
 * credentials, `X-Security-Token` (signed too).
 *
 * @since 0.1.0
 * @category signing
 */
export const signRequest = (
  request: HttpClientRequest.HttpClientRequest,
  key: SigningKey & { readonly securityToken?: Redacted.Redacted<string> | undefined }
): Effect.Effect<HttpClientRequest.HttpClientRequest> =>
  Effect.flatMap(Crypto.hmacKey(Redacted.value(key.secretAccessKey)), (hmac) =>
    internal.signHttpRequest(
      hmac,
      key.accessKeyId,
      key.securityToken === undefined
        ? request
        : HttpClientRequest.setHeader(request, "X-Security-Token", Redacted.value(key.securityToken))
    ))

/**
 * The parts of an `Authorization` header.
 *
 * @since 0.1.0
 * @category models
 */
export interface Authorization {
  readonly accessKeyId: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

/**
 * Reads an `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header.
 *
 * @since 0.1.0
 * @category verifying
 */
export const parseAuthorization: (header: string) => Option.Option<Authorization> = internal.parseAuthorization

export {
  /**
   * Why a signature was rejected: `reason` is one of `MissingAuthorization`,
   * `MalformedAuthorization`, `UnknownAccessKey`, `MissingDate`, `MalformedDate`, `DateOutOfRange`,
   * `SignatureMismatch`.
   *
   * @since 0.1.0
   * @category errors
   */
  SignatureError
} from "./internal/signer/signatureError.js"

/**
 * Options of {@link verify}.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /** How far `X-Sdk-Date` may be from the `Clock`. Default 15 minutes, as the gateway allows. */
  readonly maxSkew?: Duration.Duration | undefined
}

/**
 * Verifies a signed request as the API gateway does: the `Authorization` header parses, `host`
 * and `x-sdk-date` are signed, the date is within `maxSkew` of the `Clock`, the access key is
 * known, and the signature over the signed headers matches.
 *
 * @since 0.1.0
 * @category verifying
 */
export const verify: (
  request: Request,
  secretFor: (accessKeyId: string) => Redacted.Redacted<string> | undefined,
  options?: VerifyOptions
) => Effect.Effect<Authorization, SignatureError> = internal.verify

/**
 * Formats epoch milliseconds as an `X-Sdk-Date`: `YYYYMMDDTHHMMSSZ`, UTC.
 *
 * @since 0.1.0
 * @category dates
 */
export const formatDate: (epochMillis: number) => string = internal.formatDate

/**
 * Reads an `X-Sdk-Date` back into epoch milliseconds; `None` when it is not a valid date.
 *
 * @since 0.1.0
 * @category dates
 */
export const parseDate: (sdkDate: string) => Option.Option<number> = internal.parseDate

/**
 * Whether this runtime has Web Crypto (`crypto.subtle`), which signing needs. Browsers offer it
 * only in secure contexts (https pages and localhost).
 *
 * @since 0.1.0
 * @category signing
 */
export const isAvailable: () => boolean = Crypto.isAvailable

import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Authorization, Request, Signature, SignedHeaders, SigningKey, VerifyOptions } from "../../Signer.js"
import * as Canonical from "./canonical.js"
import * as Crypto from "./crypto.js"
import { SignatureError } from "./signatureError.js"

export const algorithm = "SDK-HMAC-SHA256"
export const emptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
export const unsignedPayload = "UNSIGNED-PAYLOAD"

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

export const formatDate = (epochMillis: number): string => {
  const date = new Date(epochMillis)
  return `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T${
    pad(date.getUTCHours())
  }${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
}

const datePattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

export const parseDate = (sdkDate: string): Option.Option<number> => {
  const match = datePattern.exec(sdkDate)
  if (match === null) return Option.none()
  const [year, month, day, hours, minutes, seconds] = match.slice(1).map(Number)
  const millis = Date.UTC(year, month - 1, day, hours, minutes, seconds)
  // Reject dates that Date.UTC silently rolls over, such as month 13 or hour 24.
  return formatDate(millis) === sdkDate ? Option.some(millis) : Option.none()
}

// The headers the spec requires to be signed whenever they are sent.
const signedWhenPresent: ReadonlyArray<string> = ["content-type", "x-project-id", "x-security-token"]

const lowerCaseHeaders = (headers: Readonly<Record<string, string>>): Map<string, string> =>
  new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

const chooseSignedHeaders = (headers: ReadonlyMap<string, string>, choice: SignedHeaders): ReadonlyArray<string> => {
  const chosen = choice === "all"
    ? ["host", ...headers.keys()]
    : choice === "default"
    ? ["host", ...signedWhenPresent.filter((name) => headers.has(name))]
    : choice.map((name) => name.toLowerCase())
  return [...new Set(["x-sdk-date", ...chosen])].sort(Canonical.compareBytes)
}

const bodyHash = (headers: ReadonlyMap<string, string>, body: Request["body"]): Effect.Effect<string> => {
  const declared = headers.get("x-sdk-content-sha256")
  if (declared !== undefined) return Effect.succeed(declared)
  return body === undefined || body.length === 0 ? Effect.succeed(emptyBodyHash) : Crypto.sha256Hex(body)
}

/** The signature of a request whose headers already hold `host` and `x-sdk-date`. */
const signature = (
  key: CryptoKey,
  accessKeyId: string,
  request: Request,
  headers: ReadonlyMap<string, string>,
  signedHeaders: ReadonlyArray<string>
) =>
  Effect.gen(function*() {
    const sdkDate = headers.get("x-sdk-date")!
    const canonicalRequest = Canonical.canonicalRequest({
      method: request.method,
      uri: Canonical.canonicalUri(request.url.pathname),
      query: Canonical.canonicalQuery(request.url.searchParams),
      headers: Canonical.canonicalHeaders(headers, signedHeaders),
      signedHeaders,
      bodyHash: yield* bodyHash(headers, request.body)
    })
    const stringToSign = `${algorithm}\n${sdkDate}\n${yield* Crypto.sha256Hex(canonicalRequest)}`
    const signature = yield* Crypto.hmacHex(key, stringToSign)
    const authorization = `${algorithm} Access=${accessKeyId}, SignedHeaders=${
      signedHeaders.join(";")
    }, Signature=${signature}`
    return { sdkDate, signedHeaders, canonicalRequest, stringToSign, signature, authorization }
  })

export const signWithKey = (
  key: CryptoKey,
  accessKeyId: string,
  request: Request,
  choice: SignedHeaders = "default"
): Effect.Effect<Signature> =>
  Effect.gen(function*() {
    const headers = lowerCaseHeaders(request.headers)
    const added: Record<string, string> = {}
    if (!headers.has("x-sdk-date")) {
      added["X-Sdk-Date"] = formatDate(yield* Clock.currentTimeMillis)
      headers.set("x-sdk-date", added["X-Sdk-Date"])
    }
    if (!headers.has("host")) headers.set("host", request.url.host)
    const result = yield* signature(key, accessKeyId, request, headers, chooseSignedHeaders(headers, choice))
    return { ...result, headers: { ...added, Authorization: result.authorization } }
  })

export const sign = (request: Request, key: SigningKey, choice?: SignedHeaders): Effect.Effect<Signature> =>
  Effect.flatMap(
    Crypto.hmacKey(Redacted.value(key.secretAccessKey)),
    (hmac) => signWithKey(hmac, key.accessKeyId, request, choice)
  )

// The bytes a platform request body will send, or undefined when they are not known up front.
const bodyBytes = (body: HttpBody.HttpBody): Uint8Array | string | undefined | null => {
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return body.body
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array ? body.body : null
    case "FormData":
    case "Stream":
      return null
  }
}

/**
 * Signs a platform request with a key made once. Bodies whose bytes are not known up front (streams,
 * form data) are sent with `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, which the gateway accepts.
 */
export const signHttpRequest = (
  key: CryptoKey,
  accessKeyId: string,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientRequest.HttpClientRequest> => {
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  // A URL that does not parse fails in the transport with its own error; nothing to sign.
  if (url._tag === "Left") return Effect.succeed(request)
  const body = bodyBytes(request.body)
  const prepared = body === null
    ? HttpClientRequest.setHeader(request, "X-Sdk-Content-Sha256", unsignedPayload)
    : request
  return Effect.map(
    signWithKey(key, accessKeyId, {
      method: prepared.method,
      url: url.right,
      headers: prepared.headers,
      body: body ?? undefined
    }),
    (signed) => HttpClientRequest.setHeaders(prepared, signed.headers)
  )
}

const authorizationPattern =
  /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/

export const parseAuthorization = (header: string): Option.Option<Authorization> => {
  const match = authorizationPattern.exec(header.trim())
  if (match === null) return Option.none()
  const signedHeaders = match[2].split(";")
  return Option.some({ accessKeyId: match[1], signedHeaders, signature: match[3] })
}

export const verify = (
  request: Request,
  secretFor: (accessKeyId: string) => Redacted.Redacted<string> | undefined,
  options: VerifyOptions = {}
): Effect.Effect<Authorization, SignatureError> =>
  Effect.gen(function*() {
    const fail = (reason: SignatureError["reason"], description: string) =>
      Effect.fail(new SignatureError({ reason, description }))
    const headers = lowerCaseHeaders(request.headers)
    const header = headers.get("authorization")
    if (header === undefined) return yield* fail("MissingAuthorization", "the request has no Authorization header")
    const authorization = parseAuthorization(header)
    if (Option.isNone(authorization)) {
      return yield* fail("MalformedAuthorization", "the Authorization header is not SDK-HMAC-SHA256")
    }
    const { accessKeyId, signedHeaders } = authorization.value
    if (!signedHeaders.includes("host") || !signedHeaders.includes("x-sdk-date")) {
      return yield* fail("MalformedAuthorization", "host and x-sdk-date must be signed")
    }
    const sdkDate = headers.get("x-sdk-date")
    if (sdkDate === undefined) return yield* fail("MissingDate", "the request has no X-Sdk-Date header")
    const signedAt = parseDate(sdkDate)
    if (Option.isNone(signedAt)) return yield* fail("MalformedDate", "X-Sdk-Date is not YYYYMMDDTHHMMSSZ")
    const maxSkew = Duration.toMillis(options.maxSkew ?? Duration.minutes(15))
    const now = yield* Clock.currentTimeMillis
    if (Math.abs(now - signedAt.value) > maxSkew) {
      return yield* fail("DateOutOfRange", `X-Sdk-Date is more than ${Duration.format(maxSkew)} away from now`)
    }
    const secret = secretFor(accessKeyId)
    if (secret === undefined) return yield* fail("UnknownAccessKey", `unknown access key ${accessKeyId}`)
    if (!headers.has("host")) headers.set("host", request.url.host)
    const key = yield* Crypto.hmacKey(Redacted.value(secret))
    const expected = yield* signature(key, accessKeyId, request, headers, signedHeaders)
    if (!Crypto.timingSafeEqual(expected.signature, authorization.value.signature)) {
      return yield* fail("SignatureMismatch", "the signature does not match the request")
    }
    return authorization.value
  })

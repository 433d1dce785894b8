import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { AccessKey, Credentials, Token } from "../Credentials.js"
import { isCredentials } from "../Credentials.js"
import { KpsInvalidInput } from "../KpsError.js"
import * as Crypto from "./signer/crypto.js"
import { signHttpRequest } from "./signer/sign.js"
import { validateSecretHeader } from "./validation.js"

/** Headers that carry secrets: redacted wherever platform code prints headers. */
export const secretHeaderNames: ReadonlyArray<string> = ["authorization", "x-auth-token", "x-security-token"]

export interface Authenticator {
  /**
   * Headers that authenticate any request as they are (a token), added when a request is built;
   * or, for signatures, `undefined`.
   */
  readonly headers: Readonly<Record<string, string>> | undefined
  /**
   * Signs a request: run for every attempt, as the last step before sending; `undefined` when
   * {@link headers} suffice.
   */
  readonly sign:
    | ((request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest>)
    | undefined
  /** Removes any secret that a peer or a transport may echo back into a text we show. */
  readonly scrub: (text: string) => string
}

const scrubber = (secrets: ReadonlyArray<string>) => (text: string): string =>
  secrets.reduce((acc, secret) => acc.split(secret).join("<redacted>"), text)

const invalid = (field: string, description: string) => Effect.fail(new KpsInvalidInput({ field, description }))

const withToken = (credentials: Token): Effect.Effect<Authenticator, KpsInvalidInput> => {
  const token = Redacted.value(credentials.token)
  return Effect.as(validateSecretHeader("credentials.token", token), {
    headers: { "X-Auth-Token": token },
    sign: undefined,
    scrub: scrubber([token])
  })
}

const withAccessKey = (credentials: AccessKey): Effect.Effect<Authenticator, KpsInvalidInput> =>
  Effect.gen(function*() {
    if (!Crypto.isAvailable()) {
      return yield* invalid(
        "credentials",
        "AK/SK signing needs Web Crypto (crypto.subtle), which this runtime lacks; browsers offer it only on https pages"
      )
    }
    yield* validateSecretHeader("credentials.accessKeyId", credentials.accessKeyId)
    const secret = Redacted.value(credentials.secretAccessKey)
    if (secret.length === 0) return yield* invalid("credentials.secretAccessKey", "must not be empty")
    const securityToken = credentials.securityToken === undefined
      ? undefined
      : Redacted.value(credentials.securityToken)
    if (securityToken !== undefined) yield* validateSecretHeader("credentials.securityToken", securityToken)
    // The HMAC key is made once per client, not once per request.
    const key = yield* Crypto.hmacKey(secret)
    const withSecurityToken = securityToken === undefined
      ? (request: HttpClientRequest.HttpClientRequest) => request
      : HttpClientRequest.setHeader("X-Security-Token", securityToken)
    return {
      headers: undefined,
      sign: (request: HttpClientRequest.HttpClientRequest) =>
        signHttpRequest(key, credentials.accessKeyId, withSecurityToken(request)),
      scrub: scrubber(securityToken === undefined ? [secret] : [secret, securityToken])
    }
  })

/**
 * Checks credentials once, when the client is made, and returns how to authenticate a request.
 */
export const make = (credentials: Credentials): Effect.Effect<Authenticator, KpsInvalidInput> => {
  if (!isCredentials(credentials)) {
    return invalid("credentials", "use Credentials.token(...) or Credentials.accessKey(...) to make credentials")
  }
  return credentials._tag === "Token" ? withToken(credentials) : withAccessKey(credentials)
}

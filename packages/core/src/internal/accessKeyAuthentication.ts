import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { KpsInvalidInput } from "../KpsError.js"
import { type Authenticator, invalid } from "./authentication.js"
import { makeResolver } from "./projectId.js"
import * as Scrubber from "./scrubber.js"
import * as Crypto from "./signer/crypto.js"
import { signHttpRequest } from "./signer/sign.js"
import { validateSecretHeader } from "./validation.js"

/**
 * The authenticator of an access key pair: signs every request, and can look a project id up in
 * IAM. Reached only through `AccessKey`, so programs that never use access keys do not bundle it.
 */
export const make = (credentials: {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly securityToken: Redacted.Redacted<string> | undefined
}): Effect.Effect<Authenticator, KpsInvalidInput> =>
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
      authenticate: (request: HttpClientRequest.HttpClientRequest) =>
        signHttpRequest(key, credentials.accessKeyId, withSecurityToken(request)),
      lookUpProjectId: makeResolver,
      scrub: Scrubber.make(securityToken === undefined ? [secret] : [secret, securityToken])
    }
  })

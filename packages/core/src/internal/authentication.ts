import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { Credentials } from "../Credentials.js"
import { isCredentials } from "../Credentials.js"
import { KpsInvalidInput } from "../KpsError.js"
import { validateSecretHeader } from "./validation.js"

/** Headers that carry secrets: redacted wherever platform code prints headers. */
export const secretHeaderNames: ReadonlyArray<string> = ["authorization", "x-auth-token", "x-security-token"]

export interface Authenticator {
  readonly authenticate: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<
    HttpClientRequest.HttpClientRequest
  >
  /** Removes any secret that a peer or a transport may echo back into a text we show. */
  readonly scrub: (text: string) => string
}

const scrubber = (secrets: ReadonlyArray<string>) => (text: string): string =>
  secrets.reduce((acc, secret) => acc.split(secret).join("<redacted>"), text)

/**
 * Checks credentials once, when the client is made, and returns how to authenticate a request.
 */
export const make = (credentials: Credentials): Effect.Effect<Authenticator, KpsInvalidInput> => {
  if (!isCredentials(credentials)) {
    return Effect.fail(
      new KpsInvalidInput({ field: "credentials", description: "use Credentials.token(...) to make credentials" })
    )
  }
  const token = Redacted.value(credentials.token)
  return Effect.as(validateSecretHeader("credentials.token", token), {
    authenticate: (request) => Effect.succeed(HttpClientRequest.setHeader(request, "X-Auth-Token", token)),
    scrub: scrubber([token])
  })
}

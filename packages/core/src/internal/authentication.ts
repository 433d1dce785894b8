import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { KpsError } from "../KpsError.js"
import { KpsInvalidInput } from "../KpsError.js"
import type { Exchange } from "./exchange.js"
import { validateSecretHeader } from "./validation.js"

/** Headers that carry secrets: redacted wherever platform code prints headers. */
export const secretHeaderNames: ReadonlyArray<string> = ["authorization", "x-auth-token", "x-security-token"]

/**
 * The key of the method by which credentials make their authenticator. Each kind of credentials
 * brings its own, so that a program using only tokens never bundles the signer. A string written
 * out where it is used: a computed key that bundlers cannot see through keeps an unused class.
 */
export type TypeId = "~effect-kps/authenticator"

/** What a project id lookup needs from the client. */
export interface ProjectLookup {
  readonly exchange: Exchange
  readonly iamEndpoint: string
  readonly region: string
  readonly headers: Readonly<Record<string, string>>
  readonly timeout: Duration.Duration
}

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
  /** Looks the project id up in IAM, for credentials that can (access keys); else `undefined`. */
  readonly lookUpProjectId:
    | ((lookup: ProjectLookup) => Effect.Effect<Effect.Effect<string, KpsError>>)
    | undefined
  /** Removes any secret that a peer or a transport may echo back into a text we show. */
  readonly scrub: (text: string) => string
}

/** Credentials that can make their authenticator. */
export interface Authenticating {
  readonly "~effect-kps/authenticator": () => Effect.Effect<Authenticator, KpsInvalidInput>
}

export const scrubber = (secrets: ReadonlyArray<string>) => (text: string): string =>
  secrets.reduce((acc, secret) => acc.split(secret).join("<redacted>"), text)

export const invalid = (field: string, description: string) => Effect.fail(new KpsInvalidInput({ field, description }))

export const isAuthenticating = (u: unknown): u is Authenticating =>
  typeof u === "object" && u !== null &&
  typeof (u as Partial<Authenticating>)["~effect-kps/authenticator"] === "function"

/** The authenticator of a token: one header. */
export const fromToken = (token: string): Effect.Effect<Authenticator, KpsInvalidInput> =>
  Effect.as(validateSecretHeader("credentials.token", token), {
    headers: { "X-Auth-Token": token },
    sign: undefined,
    lookUpProjectId: undefined,
    scrub: scrubber([token])
  })

/**
 * Checks credentials once, when the client is made, and returns how to authenticate a request.
 */
export const make = (credentials: unknown): Effect.Effect<Authenticator, KpsInvalidInput> =>
  isAuthenticating(credentials)
    ? credentials["~effect-kps/authenticator"]()
    : invalid("credentials", "use Credentials.token(...) or Credentials.accessKey(...) to make credentials")

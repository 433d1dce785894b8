import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { KpsError } from "../KpsError.js"
import { KpsInvalidInput } from "../KpsError.js"
import type { Exchange } from "./exchange.js"
import * as Scrubber from "./scrubber.js"
import { validateSecretHeader } from "./validation.js"

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
   * Authenticates a request (a token header, or a signature): run for every attempt, as the last
   * step before sending.
   */
  readonly authenticate: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientRequest.HttpClientRequest>
  /** Looks the project id up in IAM, for credentials that can (access keys); else `undefined`. */
  readonly lookUpProjectId:
    | ((lookup: ProjectLookup) => Effect.Effect<Effect.Effect<string, KpsError>>)
    | undefined
  /** Removes any secret, or piece of one, that a peer or a transport may echo into a text we show. */
  readonly scrub: Scrubber.Scrubber
}

/** Credentials that can make their authenticator. */
export interface Authenticating {
  readonly "~effect-kps/authenticator": () => Effect.Effect<Authenticator, KpsInvalidInput>
}

export const invalid = (field: string, description: string) => Effect.fail(new KpsInvalidInput({ field, description }))

export const isAuthenticating = (u: unknown): u is Authenticating =>
  typeof u === "object" && u !== null &&
  typeof (u as Partial<Authenticating>)["~effect-kps/authenticator"] === "function"

/** The authenticator of a token: one header. */
export const fromToken = (token: string): Effect.Effect<Authenticator, KpsInvalidInput> =>
  Effect.map(validateSecretHeader("credentials.token", token), () => {
    const withToken = HttpClientRequest.setHeader("X-Auth-Token", token)
    return {
      authenticate: (request) => Effect.succeed(withToken(request)),
      lookUpProjectId: undefined,
      scrub: Scrubber.make([token])
    }
  })

/**
 * Checks credentials once, when the client is made, and returns how to authenticate a request.
 */
export const make = (credentials: unknown): Effect.Effect<Authenticator, KpsInvalidInput> =>
  isAuthenticating(credentials)
    ? credentials["~effect-kps/authenticator"]()
    : invalid("credentials", "use Credentials.token(...) or Credentials.accessKey(...) to make credentials")

/**
 * How requests prove who sends them. Secrets live in `Redacted` from the moment they are given, so
 * no error, log, span, `toString` or `toJSON` shows them.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Redacted from "effect/Redacted"

/**
 * An IAM token, sent as `X-Auth-Token`. Obtained from the `X-Subject-Token` header of IAM
 * `POST /v3/auth/tokens`; valid 24 hours and bound to one region.
 *
 * @since 0.1.0
 * @category models
 */
export class Token extends Data.TaggedClass("Token")<{
  readonly token: Redacted.Redacted<string>
}> {}

/**
 * The credentials a `KpsClient` signs or authenticates its requests with.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = Token

/**
 * Authenticates with an IAM token. A plain string is wrapped in `Redacted` at once.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-kps/core"
 * import { Redacted } from "effect"
 *
 * const credentials = Credentials.token(Redacted.make("MIIT..."))
 * String(credentials.token) // "<redacted>"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const token = (token: Redacted.Redacted<string> | string): Credentials =>
  new Token({ token: Redacted.isRedacted(token) ? token : Redacted.make(token) })

/**
 * Whether a value is one of the {@link Credentials} variants.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isCredentials = (u: unknown): u is Credentials => u instanceof Token

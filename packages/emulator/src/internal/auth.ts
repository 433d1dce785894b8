import * as Signer from "@effect-kps/core/Signer"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Replies from "./replies.js"

/** Whom the emulator lets in: IAM tokens, and access keys with their (redacted) secrets. */
export interface Gatekeeper {
  readonly tokens: ReadonlySet<string>
  readonly secrets: ReadonlyMap<string, Redacted.Redacted<string>>
}

/** A request as the gateway sees it when it checks who sent it. */
export interface Incoming {
  readonly method: string
  /** Path and query, as sent. */
  readonly url: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/**
 * What the gateway answers a request that does not authenticate, or `undefined` when it does:
 * `X-Auth-Token` must be one of the tokens; otherwise an SDK-HMAC-SHA256 `Authorization` must
 * verify against a known access key, its `X-Sdk-Date` within 15 minutes of the `Clock`.
 */
export const authenticate = (gate: Gatekeeper, request: Incoming): Effect.Effect<Replies.ApiError | undefined> => {
  const token = request.headers["x-auth-token"]
  if (token !== undefined) {
    return Effect.succeed(gate.tokens.has(token) ? undefined : Replies.unauthorized("decrypt token fail"))
  }
  if (request.headers["authorization"] === undefined) {
    return Effect.succeed(Replies.unauthorized("x-auth-token not found"))
  }
  const host = request.headers["host"] ?? "127.0.0.1"
  let url: URL
  try {
    url = new URL(`http://${host}${request.url}`)
  } catch {
    return Effect.succeed(Replies.unauthorized("verify aksk signature fail (MalformedRequest)"))
  }
  return Signer.verify(
    { method: request.method, url, headers: request.headers, body: request.body },
    (accessKeyId) => gate.secrets.get(accessKeyId)
  ).pipe(Effect.match({
    // The reason says which check failed; never the secret, nor the expected signature.
    onFailure: (error) => Replies.unauthorized(`verify aksk signature fail (${error.reason})`),
    onSuccess: () => undefined
  }))
}

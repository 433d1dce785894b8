/**
 * Where a durable binding finds the login of the server it binds a key pair on. A workflow's
 * payload is stored (in SQLite, in Postgres), so a server's password or private key never goes in
 * it: the process that runs the binding asks this service for it, at the moment it sends the
 * request, from wherever it keeps secrets.
 *
 * @since 0.1.0
 */
import type * as KeypairAssociation from "@effect-kps/core/KeypairAssociation"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * The login of a server by its id, or `undefined` to send none (KPS then uses what the server
 * allows). By default, none for every server.
 *
 * @example
 * ```ts
 * import { ServerCredentials } from "@effect-kps/workflow"
 * import { Config, Effect, Layer } from "effect"
 *
 * // Every server's root password from one secret, read when a binding goes out.
 * const FromConfig = Layer.succeed(
 *   ServerCredentials.ServerCredentials,
 *   () => Effect.map(Effect.orDie(Config.redacted("SERVER_ROOT_PASSWORD")), (key) => ({ type: "password" as const, key }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class ServerCredentials extends /* @__PURE__ */ Context.Reference<ServerCredentials>()(
  "@effect-kps/workflow/ServerCredentials",
  {
    defaultValue: () => (_serverId: string): Effect.Effect<KeypairAssociation.ServerAuth | undefined> =>
      Effect.succeed(undefined)
  }
) {}

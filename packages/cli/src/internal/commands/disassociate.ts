import * as KpsClient from "@effect-kps/core/KpsClient"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Connection from "../connection.js"
import * as ServerAuth from "../serverAuth.js"
import * as Start from "../start.js"

/**
 * `kps-task disassociate --server ID`: unbinds a server's key pair through
 * `KpsClient.disassociateKeypair`; prints the task started, or waits on it with `--wait`.
 */
export const command = /* @__PURE__ */ Command.make(
  "disassociate",
  {
    server: Options.text("server").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("The ECS server whose key pair to unbind: its id")
    ),
    login: ServerAuth.options,
    waiting: Start.options,
    connection: Connection.options
  },
  ({ connection, login, server, waiting }) =>
    Effect.flatMap(
      ServerAuth.read(login),
      (auth) => Start.run(KpsClient.disassociateKeypair({ server: { id: server, auth } }), waiting)
    ).pipe(Effect.provide(Connection.layer(connection)))
).pipe(
  Command.withDescription("Unbind a server's key pair; print the task id, or wait on the task with --wait")
)

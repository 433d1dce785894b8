import * as KpsClient from "@effect-kps/core/KpsClient"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Connection from "../connection.js"
import * as CliOptions from "../options.js"
import * as ServerAuth from "../serverAuth.js"
import * as Start from "../start.js"

/**
 * `kps-task associate --keypair NAME --server ID`: binds (or replaces, or resets) a key pair on a
 * server through `KpsClient.associateKeypair`; prints the task started, or waits on it with `--wait`.
 */
export const command = /* @__PURE__ */ Command.make(
  "associate",
  {
    keypair: Options.text("keypair").pipe(
      Options.withPseudoName("NAME"),
      Options.withDescription("The key pair to bind: its name, 1 to 64 characters")
    ),
    server: Options.text("server").pipe(
      Options.withPseudoName("ID"),
      Options.withDescription("The ECS server to bind it on: its id")
    ),
    login: ServerAuth.options,
    disablePassword: Options.boolean("disable-password").pipe(
      Options.withDescription("Turn password login off once the key pair is bound")
    ),
    port: CliOptions.optional(Options.integer("port"), "PORT", "The server's SSH port, 1 to 65535 (KPS uses 22)"),
    waiting: Start.options,
    connection: Connection.options
  },
  ({ connection, disablePassword, keypair, login, port, server, waiting }) =>
    Effect.flatMap(ServerAuth.read(login), (auth) =>
      Start.run(
        KpsClient.associateKeypair({
          keypairName: keypair,
          server: {
            id: server,
            auth,
            // Sent only when asked for: without it KPS keeps the server's own setting.
            disablePassword: disablePassword ? true : undefined,
            port: Option.getOrUndefined(port)
          }
        }),
        waiting
      )).pipe(Effect.provide(Connection.layer(connection)))
).pipe(
  Command.withDescription(
    "Bind (or replace, or reset) a key pair on a server; print the task id, or wait on the task with --wait"
  )
)

import { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Connection from "../connection.js"
import * as DurableOptions from "../durableOptions.js"
import * as CliOptions from "../options.js"
import * as Signals from "../signals.js"

/**
 * `kps-task runner --postgres URL`: one `@effect/cluster` runner of the fleet that shares the
 * durable waits through PostgreSQL (`PostgresEngine.layerRunner`), until stopped.
 */
export const command = /* @__PURE__ */ Command.make(
  "runner",
  {
    postgres: DurableOptions.postgresOption("The PostgreSQL database the fleet keeps its waits in (required)"),
    host: Options.text("host").pipe(
      Options.withPseudoName("HOST"),
      Options.withDescription("The address the other processes of the fleet reach this runner at"),
      Options.withDefault("127.0.0.1")
    ),
    port: Options.integer("port").pipe(
      Options.withPseudoName("PORT"),
      Options.withDescription("The port this runner listens on, unique for its host in the fleet"),
      Options.withDefault(34431)
    ),
    requestsPerSecond: CliOptions.optional(
      Options.integer("requests-per-second"),
      "N",
      "The most requests the whole fleet sends KPS in a second (default 20, the KPS limit); the same on every runner"
    ),
    connection: Connection.options
  },
  ({ connection, host, port, postgres, requestsPerSecond }) =>
    Effect.gen(function*() {
      if (Option.isNone(postgres)) {
        return yield* new KpsInvalidInput({
          field: "postgres",
          description: "kps-task runner needs --postgres URL: the database the fleet shares"
        })
      }
      // PostgreSQL and the cluster load when this command runs, not on every start of kps-task.
      const PostgresEngine = yield* Effect.promise(() => import("@effect-kps/workflow/PostgresEngine"))
      const runner = PostgresEngine.layerRunner({
        url: postgres.value,
        runnerAddress: { host, port },
        requestsPerSecond: Option.getOrUndefined(requestsPerSecond)
      }).pipe(Layer.provide(Connection.layer(connection)))
      yield* Layer.build(runner)
      yield* Console.log(`runner on ${host}:${port}; stop with Ctrl-C`)
      // Stopping is how a runner ends: a signal exits 0, and its waits go to the other runners.
      yield* Signals.stopIsNormal
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Run one runner of the fleet that shares durable waits through PostgreSQL, until interrupted; " +
      "submit waits with kps-task wait --postgres"
  )
)

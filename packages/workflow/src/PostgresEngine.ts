/**
 * Durable waits on many machines: `@effect/cluster` runners that keep the waits in one PostgreSQL
 * database and share them out. Each wait runs on one runner at a time; when a runner stops, the
 * others take its waits up where they were, with the same deadlines. Processes that only submit
 * waits (a CLI, say) join as clients: the runners do the work.
 *
 * The fleet shares one limit on requests to KPS (about 20 a second per account): every poll, on
 * any runner, first asks one gate, an `@effect/cluster` entity keyed by the account that runs on
 * one runner at a time, for leave to go out.
 *
 * @since 0.1.0
 */
import type * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsError from "@effect-kps/core/KpsError"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as RunnerHealth from "@effect/cluster/RunnerHealth"
import * as Runners from "@effect/cluster/Runners"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SocketRunner from "@effect/cluster/SocketRunner"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "@effect/cluster/SqlRunnerStorage"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import type * as SocketServer from "@effect/platform/SocketServer"
import * as RpcSerialization from "@effect/rpc/RpcSerialization"
import * as PgClient from "@effect/sql-pg/PgClient"
import type * as SqlError from "@effect/sql/SqlError"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Cause from "effect/Cause"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as fleetGate from "./internal/fleetGate.js"
import * as KpsWorkflow from "./KpsWorkflow.js"

/**
 * What every process of a fleet is given: the database and, optionally, the tuning of
 * `@effect/cluster` (`ShardingConfig`). Every process of one fleet must use the same database and
 * the same `shardsPerGroup`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The PostgreSQL database the waits are kept in, as a connection URL (`postgres://…`). */
  readonly url: Redacted.Redacted | string
  /** Tunes the cluster (`@effect/cluster`'s `ShardingConfig`); its defaults suit most uses. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}

/**
 * What a runner is given besides {@link Options}: where the others reach it, and the fleet's limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunnerOptions extends Options {
  /**
   * Where the other processes of the fleet reach this runner; it listens there too, unless
   * `listenAddress` says otherwise (behind a NAT or in a container, say). Unique in the fleet.
   */
  readonly runnerAddress: { readonly host: string; readonly port: number }
  /** Where this runner listens (default: `runnerAddress`). */
  readonly listenAddress?: { readonly host: string; readonly port: number } | undefined
  /**
   * The most requests the whole fleet sends KPS in any second, for the account (default 20, the
   * KPS limit per account). All runners of one account must give the same number. The gate admits
   * that many per 1.3 s, evenly (about 15 a second at 20): the rest is margin for requests that
   * reach KPS late. It waits one window before its first answer after it starts or moves to
   * another runner.
   */
  readonly requestsPerSecond?: number | undefined
  /**
   * Names the account the limit counts for (default `"default"`): runners that share a database
   * and an account share one limit. Runners of another account on the same database give another
   * name.
   */
  readonly account?: string | undefined
}

/**
 * The requests the fleet sends KPS per second by default: the KPS limit per account.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRequestsPerSecond: number = 20

// Runners of a fleet started together on a fresh database create the cluster's tables at the same
// moment, and PostgreSQL may refuse one of two concurrent `CREATE TABLE IF NOT EXISTS` (a
// duplicate `pg_type` row): the tables exist once the other is done, so building the storage again
// succeeds. The same retries let a runner start while the database is still coming up. The
// cluster's storage makes a failed migration a defect, which `Layer.retry` alone would not retry:
// every cause but an interruption is tried again.
const storageRetries = Schedule.spaced("500 millis").pipe(
  Schedule.intersect(Schedule.recurs(10)),
  Schedule.whileInput((cause: Cause.Cause<unknown>) => !Cause.isInterruptedOnly(cause))
)

const storage = (options: Options) =>
  Layer.mergeAll(SqlMessageStorage.layer, SqlRunnerStorage.layer).pipe(
    Layer.provide(
      PgClient.layer({ url: typeof options.url === "string" ? Redacted.make(options.url) : options.url })
    ),
    Layer.catchAllCause((cause) => Layer.fail(cause)),
    Layer.retry(storageRetries),
    Layer.catchAll((cause) => Layer.failCause(cause))
  )

const address = (address: { readonly host: string; readonly port: number }) =>
  RunnerAddress.RunnerAddress.make({ host: address.host, port: address.port })

const gateOptions = (options: RunnerOptions) => {
  const limit = options.requestsPerSecond ?? defaultRequestsPerSecond
  if (!Number.isSafeInteger(limit) || limit < 1) {
    return Effect.fail(
      new KpsError.KpsInvalidInput({
        field: "requestsPerSecond",
        description: `must be a whole number of at least 1, got ${limit}`
      })
    )
  }
  return Effect.succeed({ limit, window: Duration.seconds(1), account: options.account ?? "default" })
}

/**
 * One runner of the fleet: it registers in the database, takes its share of the waits, and
 * listens for the others on `runnerAddress`. Give it a `KpsClient` (the account's); it runs the
 * waits of this package (`KpsWorkflow`) and can submit them too. Closing the layer's scope stops
 * the runner: its waits move to the other runners.
 *
 * Every request, wherever it runs (each poll, each binding of `AssociateAndWait` and each page of
 * its look for a running task), waits its turn at the fleet's gate: at most `requestsPerSecond`
 * (default 20) in any second for the whole fleet. Runners started together on a fresh database
 * may race to create its tables: a runner whose storage fails to start tries again (10 times,
 * half a second apart), which also lets it start while the database is still coming up.
 *
 * @example
 * ```ts
 * import { KpsNode } from "@effect-kps/node"
 * import * as PostgresEngine from "@effect-kps/workflow/PostgresEngine"
 * import { Layer, Redacted } from "effect"
 *
 * // One per machine: each with its own address, all on the same database.
 * const Runner = PostgresEngine.layerRunner({
 *   url: Redacted.make("postgres://kps@db.internal:5432/waits"),
 *   runnerAddress: { host: "10.0.0.12", port: 34431 }
 * }).pipe(Layer.provide(KpsNode.layerFromEnv))
 *
 * // Runs until stopped: Layer.launch(Runner)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRunner = (
  options: RunnerOptions
): Layer.Layer<
  WorkflowEngine.WorkflowEngine,
  ConfigError.ConfigError | SqlError.SqlError | SocketServer.SocketServerError | KpsError.KpsInvalidInput,
  KpsClient.KpsClient
> =>
  Layer.unwrapEffect(Effect.map(gateOptions(options), (gate) => {
    const config = ShardingConfig.layer({
      ...options.shardingConfig,
      runnerAddress: Option.some(address(options.runnerAddress)),
      runnerListenAddress: Option.map(Option.fromNullable(options.listenAddress), address)
    })
    const clientProtocol = NodeClusterSocket.layerClientProtocol
    const sharding = SocketRunner.layer.pipe(
      Layer.provide(RunnerHealth.layerPing.pipe(Layer.provide(Runners.layerRpc), Layer.provide(clientProtocol))),
      Layer.provide([NodeClusterSocket.layerSocketServer, clientProtocol]),
      Layer.provideMerge(storage(options)),
      Layer.provide([config, RpcSerialization.layerMsgPack])
    )
    return KpsWorkflow.layer.pipe(
      Layer.provide(fleetGate.layer(gate)),
      Layer.provideMerge(ClusterWorkflowEngine.layer),
      Layer.provide(sharding)
    )
  }))

/**
 * A process that submits waits to the fleet without running any: `KpsWorkflow.WaitForTask.execute`
 * (or `AssociateAndWait`) stores the wait, a runner does it, and the answer comes back through the
 * database. It needs no `KpsClient` and listens on no port. With `{ discard: true }`, `execute`
 * returns as soon as the wait is stored.
 *
 * @example
 * ```ts
 * import { KpsWorkflow } from "@effect-kps/workflow"
 * import * as PostgresEngine from "@effect-kps/workflow/PostgresEngine"
 * import { Effect, Redacted } from "effect"
 *
 * const Client = PostgresEngine.layerClient({ url: Redacted.make("postgres://kps@db.internal:5432/waits") })
 * const done = KpsWorkflow.WaitForTask.execute({ taskId: "aee8d2fe-5484-4753-9177-5a38dc15546c" }).pipe(
 *   Effect.provide(Client)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Options
): Layer.Layer<WorkflowEngine.WorkflowEngine, ConfigError.ConfigError | SqlError.SqlError> => {
  const sharding = SocketRunner.layerClientOnly.pipe(
    Layer.provide(NodeClusterSocket.layerClientProtocol),
    Layer.provideMerge(storage(options)),
    Layer.provide([
      ShardingConfig.layer({ ...options.shardingConfig, runnerAddress: Option.none() }),
      RpcSerialization.layerMsgPack
    ])
  )
  return registered.pipe(
    Layer.provideMerge(ClusterWorkflowEngine.layer),
    Layer.provide(sharding)
  )
}

// A client runs no workflow, but the engine sends only to workflows it knows.
const notHere = () => Effect.dieMessage("PostgresEngine.layerClient runs no waits: the fleet's runners do")
const registered = Layer.mergeAll(
  KpsWorkflow.WaitForTask.toLayer(notHere),
  KpsWorkflow.AssociateAndWait.toLayer(notHere)
)

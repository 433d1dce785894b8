/**
 * Durable waits on one machine: a single `@effect/cluster` runner that keeps the waits in a SQLite
 * file. A process that stops (a deploy, a crash, `kill -9`) and starts again on the same file takes
 * its waits up where they were, with the same deadlines. The embedded default: no server to run.
 *
 * @since 0.1.0
 */
import type * as KpsClient from "@effect-kps/core/KpsClient"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as SqlError from "@effect/sql/SqlError"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as KpsWorkflow from "./KpsWorkflow.js"

/**
 * The engine, its storage in the SQLite file `filename` (created when missing), with the waits
 * registered. Give it a `KpsClient`; only one process at a time may use one file.
 *
 * @example
 * ```ts
 * import { KpsNode } from "@effect-kps/node"
 * import { KpsWorkflow } from "@effect-kps/workflow"
 * import * as SqliteEngine from "@effect-kps/workflow/SqliteEngine"
 * import { Effect, Layer } from "effect"
 *
 * const Engine = SqliteEngine.layer({ filename: "waits.sqlite" }).pipe(Layer.provide(KpsNode.layerFromEnv))
 * const done = Effect.provide(KpsWorkflow.WaitForTask.execute({ taskId: "aee8d2fe-5484-4753-9177-5a38dc15546c" }), Engine)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: {
  /** The SQLite file the waits are kept in. */
  readonly filename: string
  /** Tunes the runner (`@effect/cluster`'s `ShardingConfig`); its defaults suit most uses. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}): Layer.Layer<WorkflowEngine.WorkflowEngine, ConfigError.ConfigError | SqlError.SqlError, KpsClient.KpsClient> =>
  KpsWorkflow.layer.pipe(
    Layer.provideMerge(ClusterWorkflowEngine.layer),
    Layer.provide(SingleRunner.layer({ runnerStorage: "memory", shardingConfig: options.shardingConfig })),
    Layer.provide(SqliteClient.layer({ filename: options.filename }))
  )

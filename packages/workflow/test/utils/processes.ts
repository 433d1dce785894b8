import { KpsWorkflow } from "@effect-kps/workflow"
import * as SqliteEngine from "@effect-kps/workflow/SqliteEngine"
import {
  ClusterWorkflowEngine,
  MessageStorage,
  RunnerHealth,
  Runners,
  RunnerStorage,
  Sharding,
  ShardingConfig
} from "@effect/cluster"
import { Duration, Effect, ExecutionStrategy, Layer, Scope } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// A process stops at once, as a crash does, instead of giving its entities time to finish.
const shardingConfig = { entityTerminationTimeout: Duration.zero }

// The cluster's own in-memory storage: the MemoryDriver outlives the runners built on it.
export const inMemory = Effect.map(Effect.context<MessageStorage.MemoryDriver>(), (driver) =>
  KpsWorkflow.layer.pipe(
    Layer.provideMerge(ClusterWorkflowEngine.layer),
    Layer.provide(
      Sharding.layer.pipe(
        Layer.provideMerge(Runners.layerNoop),
        Layer.provideMerge(
          Layer.effect(MessageStorage.MessageStorage, Effect.map(MessageStorage.MemoryDriver, (_) => _.storage))
        ),
        Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
        Layer.provide(ShardingConfig.layer(shardingConfig))
      )
    ),
    Layer.provide(Layer.succeedContext(driver))
  ))

// SqliteEngine: a file in a directory of its own, removed at the end.
export const sqliteFile = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "kps-workflow-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ),
  (dir) => SqliteEngine.layer({ filename: join(dir, "waits.sqlite"), shardingConfig })
)

export const storages = [
  { name: "the cluster's memory storage", make: inMemory },
  { name: "SqliteEngine", make: sqliteFile }
] as const

/**
 * Starts a "process" on what outlives it; closing the scope it returns stops it, and so does the
 * end of the test's scope (processes stopped first, in reverse order, before what they run on).
 */
export const startProcess = <A, E, R>(processLayer: Layer.Layer<A, E, R>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
    const context = yield* Layer.buildWithScope(processLayer, scope)
    return { scope, context }
  })

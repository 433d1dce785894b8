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
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
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
const sqliteFilename = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "kps-workflow-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ),
  (dir) => join(dir, "waits.sqlite")
)

/**
 * The storages a restart is tested on: what a "process" is built on, and everything it stored, as
 * text (to look for what must not be there).
 */
export const storages = [
  {
    name: "the cluster's memory storage",
    make: Effect.map(inMemory, (layer) => ({
      layer,
      contents: Effect.map(
        MessageStorage.MemoryDriver,
        (driver) => JSON.stringify([driver.journal, [...driver.requests.values()]])
      )
    }))
  },
  {
    name: "SqliteEngine",
    make: Effect.map(sqliteFilename, (filename) => ({
      layer: SqliteEngine.layer({ filename, shardingConfig }),
      // The database and its write-ahead log, as bytes.
      contents: Effect.sync(() =>
        [filename, `${filename}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file, "latin1"))
          .join("")
      )
    }))
  }
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

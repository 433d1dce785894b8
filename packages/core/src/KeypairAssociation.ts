/**
 * What binding and unbinding key pairs takes: the server, how to log in to it, and the outcome of
 * each server in a batch.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { TaskRef } from "./TaskRef.js"

/**
 * How KPS logs in to the server to change its keys: with the root `password`, or with the private
 * key of the key pair bound now (`keypair`). The key is a secret like the SK: it stays `Redacted`,
 * and no error, log, span or `transformClient` sees it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerAuth {
  readonly type: "password" | "keypair"
  readonly key: Redacted.Redacted<string>
}

/**
 * The server of an associate request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Server {
  /** The ECS server id. */
  readonly id: string
  /** How to log in; without it KPS uses what the server allows. */
  readonly auth?: ServerAuth | undefined
  /** Whether to turn password login off once the key pair is bound. */
  readonly disablePassword?: boolean | undefined
  /** The SSH port, 1 to 65535 (KPS uses 22 without it). */
  readonly port?: number | undefined
}

/**
 * Binds (or replaces, or resets) a key pair on a server:
 * `POST /v3/{project_id}/keypairs/associate`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AssociateRequest {
  /** The key pair's name: 1 to 64 characters. */
  readonly keypairName: string
  readonly server: Server
}

/**
 * Unbinds the key pair of a server: `POST /v3/{project_id}/keypairs/disassociate`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DisassociateRequest {
  readonly server: {
    readonly id: string
    readonly auth?: ServerAuth | undefined
  }
}

/**
 * The most servers one batch request may name.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBatchSize = 10

/**
 * One server of a batch that KPS did not start a task for: its own error code and message. Data,
 * not a failure of the call: the other servers' tasks run.
 *
 * @since 0.1.0
 * @category models
 */
export class BatchItemError extends /* @__PURE__ */ Schema.TaggedError<BatchItemError>(
  "@effect-kps/core/BatchItemError"
)("BatchItemError", {
  serverId: Schema.String,
  errorCode: Schema.String,
  errorMessage: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const code = this.errorCode === "" ? "" : ` ${this.errorCode}`
    return `KPS started no task for server ${this.serverId}${code}${
      this.errorMessage === "" ? "" : `: ${this.errorMessage}`
    }`
  }
}

/**
 * The outcome of one server of a batch: the task started for it (`Right`), or why none was
 * (`Left`). Results come in the order of the request's items.
 *
 * @example
 * ```ts
 * import { KeypairAssociation, KpsClient } from "@effect-kps/core"
 * import { Effect, Either, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const results = yield* KpsClient.batchAssociateKeypairs([
 *     { keypairName: "deploy", server: { id: "server-1" } },
 *     { keypairName: "deploy", server: { id: "server-2" } }
 *   ])
 *   const [started, refused] = [results.filter(Either.isRight), results.filter(Either.isLeft)]
 *   return { started: started.map((r) => r.right.taskId), refused: refused.map((r) => r.left.serverId) }
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type BatchResult = Either.Either<TaskRef, BatchItemError>

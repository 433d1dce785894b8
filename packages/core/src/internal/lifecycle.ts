/** The task lifecycle beyond `getTask`: start tasks, list them, clean failed ones up. Each is one call of the client. */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { AssociateRequest, BatchResult, DisassociateRequest } from "../KeypairAssociation.js"
import type { CallOptions, ListOptions, Service } from "../KpsClient.js"
import { type KpsError, KpsInvalidInput } from "../KpsError.js"
import { type FailedTask, pageLimits, type PageRequest, type RunningTask, type TaskPage } from "../TaskList.js"
import type { TaskRef } from "../TaskRef.js"
import * as Association from "./association.js"
import { percentEncode } from "./percentEncoding.js"
import type * as Scrubber from "./scrubber.js"
import * as TaskList from "./taskList.js"
import { idProblem } from "./validation.js"

/** What one call sends to the project, and how its answer is read. */
export interface Operation<A> {
  readonly method: "GET" | "POST" | "DELETE"
  /** The path after `/v3/{project_id}`, query included, already encoded. */
  readonly path: string
  /** A JSON body, and the secrets it carries. */
  readonly body: Association.Prepared | undefined
  /**
   * Reads the JSON answer, scrubbing what it keeps with the call's scrubber (the client's secrets
   * and the call's own); `undefined` ignores the body of a 2xx (the answer is `void`).
   */
  readonly decode: Decode<A> | undefined
  /** What the body should be, for error messages. */
  readonly expected: string
}

export type Decode<A> = (json: unknown, scrub: Scrubber.Scrubber) => Effect.Effect<A, ParseResult.ParseError>

export type Call = <A>(
  name: string,
  options: CallOptions | undefined,
  prepare: (span: Tracer.Span) => KpsInvalidInput | Operation<A>
) => Effect.Effect<A, KpsError>

type Lifecycle = Omit<Service, "endpoint" | "timeout" | "getTask">

/**
 * An operation on one task, `{route}/{task_id}`: the id checked (synchronously: `getTask` runs on
 * every poll) and put on the span; or what is wrong with it.
 */
export const onTask = <A>(
  span: Tracer.Span,
  taskId: string,
  operation: Omit<Operation<A>, "path" | "body"> & { readonly route: string }
): KpsInvalidInput | Operation<A> => {
  const invalidTask = idProblem("taskId", taskId)
  if (invalidTask !== undefined) return invalidTask
  span.attribute("kps.task_id", taskId)
  return {
    method: operation.method,
    path: `/${operation.route}/${percentEncode(taskId)}`,
    body: undefined,
    decode: operation.decode,
    expected: operation.expected
  }
}

const post = <A>(
  path: string,
  body: Association.Prepared,
  decode: Decode<A>,
  expected: string
): Operation<A> => ({ method: "POST", path, body, decode, expected })

export const make = (call: Call): Lifecycle => {
  const taskRef = Association.decodeTaskRef

  const associateKeypair = (request: AssociateRequest, options?: CallOptions): Effect.Effect<TaskRef, KpsError> =>
    call("KpsClient.associateKeypair", options, (span) => {
      const prepared = Association.associate(request)
      if (prepared instanceof KpsInvalidInput) return prepared
      span.attribute("kps.server_id", request.server.id)
      span.attribute("kps.keypair_name", request.keypairName)
      return post("/keypairs/associate", prepared, taskRef, "a started task")
    })

  const disassociateKeypair = (
    request: DisassociateRequest,
    options?: CallOptions
  ): Effect.Effect<TaskRef, KpsError> =>
    call("KpsClient.disassociateKeypair", options, (span) => {
      const prepared = Association.disassociate(request)
      if (prepared instanceof KpsInvalidInput) return prepared
      span.attribute("kps.server_id", request.server.id)
      return post("/keypairs/disassociate", prepared, taskRef, "a started task")
    })

  const batchAssociateKeypairs = (
    items: ReadonlyArray<AssociateRequest>,
    options?: CallOptions
  ): Effect.Effect<ReadonlyArray<BatchResult>, KpsError> =>
    call("KpsClient.batchAssociateKeypairs", options, (span) => {
      const prepared = Association.batch(items)
      if (prepared instanceof KpsInvalidInput) return prepared
      const serverIds = items.map((item) => item.server.id)
      span.attribute("kps.server_count", serverIds.length)
      return post(
        "/keypairs/batch-associate",
        prepared,
        Association.decodeBatchResults(serverIds),
        "a batch of started tasks"
      )
    })

  const lister = <A>(
    name: string,
    route: string,
    decode: Decode<TaskList.WirePage<A>>
  ) => {
    // Checked in the call, so that a bad page is a failure of the call's span like any other.
    const page = (request: PageRequest | undefined, options: CallOptions | undefined) =>
      call(name, options, (span): KpsInvalidInput | Operation<TaskList.WirePage<A>> => {
        const checked = TaskList.checkPage(request)
        if (checked instanceof KpsInvalidInput) return checked
        span.attribute("kps.page.limit", checked.limit)
        span.attribute("kps.page.offset", checked.offset)
        return {
          method: "GET",
          path: `/${route}?limit=${checked.limit}&offset=${checked.offset}`,
          body: undefined,
          decode,
          expected: "a page of tasks"
        }
      })
    const list = (request?: PageRequest, options?: CallOptions): Effect.Effect<TaskPage<A>, KpsError> =>
      Effect.map(page(request, options), (wire) => ({
        // KPS always says how many; should it not, the pages read so far are all there is.
        total: wire.total ?? (request?.offset ?? 0) + wire.tasks.length,
        tasks: wire.tasks
      }))
    const all = (options?: ListOptions): Stream.Stream<A, KpsError> => {
      const limit = options?.pageSize ?? pageLimits.default
      // One page per pull: the next is asked for only when the stream needs more.
      return Stream.paginateChunkEffect(0, (offset) =>
        page({ limit, offset }, options).pipe(
          Effect.mapError((error) =>
            error._tag === "KpsInvalidInput" && error.field === "limit"
              ? new KpsInvalidInput({ field: "pageSize", description: error.description })
              : error
          ),
          Effect.map((wire) => {
            const next = offset + wire.tasks.length
            const more = wire.tasks.length > 0 &&
              (wire.total === undefined ? wire.tasks.length === limit : next < wire.total)
            return [Chunk.unsafeFromArray(wire.tasks.slice()), more ? Option.some(next) : Option.none()] as const
          })
        ))
    }
    return { list, all }
  }

  const running = lister<RunningTask>("KpsClient.listRunningTasks", "running-tasks", TaskList.readRunning)
  const failed = lister<FailedTask>("KpsClient.listFailedTasks", "failed-tasks", TaskList.readFailed)

  const deleteFailedTask = (taskId: string, options?: CallOptions): Effect.Effect<void, KpsError> =>
    call(
      "KpsClient.deleteFailedTask",
      options,
      (span) =>
        onTask(span, taskId, { method: "DELETE", route: "failed-tasks", decode: undefined, expected: "nothing" })
    )

  const deleteAllFailedTasks = (options?: CallOptions): Effect.Effect<void, KpsError> =>
    call("KpsClient.deleteAllFailedTasks", options, () => ({
      method: "DELETE",
      path: "/failed-tasks",
      body: undefined,
      decode: undefined,
      expected: "nothing"
    }))

  return {
    associateKeypair,
    disassociateKeypair,
    batchAssociateKeypairs,
    listRunningTasks: running.list,
    listFailedTasks: failed.list,
    runningTasks: running.all,
    failedTasks: failed.all,
    deleteFailedTask,
    deleteAllFailedTasks
  }
}

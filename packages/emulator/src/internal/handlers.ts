/** What each route does with the task store, once the request is known to be well-formed. */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type { Task, TaskStore } from "../TaskStore.js"
import * as Replies from "./replies.js"
import type { RouteName } from "./routes.js"
import * as Schemas from "./schemas.js"
import { operateTypes } from "./tasks.js"

/** A successful answer: a status and a JSON body (none for the deletes). */
export interface Answer {
  readonly status: number
  readonly body: unknown
}

/** A request with a matched route, its path parameters decoded and checked. */
export interface Call {
  readonly route: RouteName
  readonly projectId: string
  readonly taskId: string | undefined
  readonly query: URLSearchParams
  readonly body: Uint8Array
}

const decoder = /* @__PURE__ */ new TextDecoder("utf-8", { fatal: true })

/** The body as JSON, or the 400 it gets. */
const parseJson = (body: Uint8Array): Either.Either<unknown, Replies.ApiError> => {
  if (body.length === 0) return Either.left(Replies.badRequest("The request body is empty: a JSON object is expected"))
  try {
    return Either.right(JSON.parse(decoder.decode(body)))
  } catch {
    return Either.left(Replies.badRequest("The request body is not valid JSON"))
  }
}

/** The body decoded with a request schema, or the 400 it gets. */
const bodyOf = <A, I>(schema: Schema.Schema<A, I>, body: Uint8Array): Either.Either<A, Replies.ApiError> =>
  Either.flatMap(
    parseJson(body),
    (json) => Either.mapLeft(Schemas.decode(schema, json), (problem) => Replies.badRequest(`Invalid body: ${problem}`))
  )

const listed = (task: Task) => ({
  task_id: task.taskId,
  operate_type: operateTypes[task.operation],
  task_time: task.createdAt,
  server_name: task.serverName,
  server_id: task.serverId,
  keypair_name: task.keypairName ?? ""
})

const ok = (status: number, body: unknown): Effect.Effect<Either.Either<Answer, Replies.ApiError>> =>
  Effect.succeed(Either.right({ status, body }))

/** The 202 of associate and disassociate: the task to wait on. */
const accepted = (task: Task): Either.Either<Answer, Replies.ApiError> =>
  Either.right({ status: 202, body: { task_id: task.taskId, server_id: task.serverId } })

const fail = (error: Replies.ApiError): Effect.Effect<Either.Either<Answer, Replies.ApiError>> =>
  Effect.succeed(Either.left(error))

export const handle = (
  store: TaskStore,
  call: Call
): Effect.Effect<Either.Either<Answer, Replies.ApiError>> => {
  const { projectId, query } = call
  switch (call.route) {
    case "getTask":
      return Effect.map(store.get(projectId, call.taskId!), (task) =>
        Option.match(task, {
          onNone: () => Either.left(Replies.taskNotFound(call.taskId!)),
          onSome: (task) =>
            Either.right({
              status: 200,
              body: { task_id: task.taskId, task_status: task.status, server_id: task.serverId }
            })
        }))
    case "associate":
      return Either.match(bodyOf(Schemas.Associate, call.body), {
        onLeft: fail,
        onRight: (request) =>
          Effect.map(
            store.create({
              projectId,
              operation: "associate",
              serverId: request.server.id,
              keypairName: request.keypair_name
            }),
            accepted
          )
      })
    case "disassociate":
      return Either.match(bodyOf(Schemas.Disassociate, call.body), {
        onLeft: fail,
        onRight: (request) =>
          Effect.map(
            store.create({ projectId, operation: "disassociate", serverId: request.server.id }),
            accepted
          )
      })
    case "batchAssociate":
      return Either.match(bodyOf(Schemas.BatchAssociate, call.body), {
        onLeft: fail,
        onRight: (request) =>
          Effect.map(
            Effect.forEach(request.batch_keypairs, (item) =>
              store.create({
                projectId,
                operation: "associate",
                serverId: item.server.id,
                keypairName: item.keypair_name
              })),
            (tasks) =>
              Either.right({
                status: 202,
                body: {
                  tasks: tasks.map((task) => ({ task_id: task.taskId, server_id: task.serverId, status: "success" }))
                }
              })
          )
      })
    case "runningTasks":
    case "failedTasks":
      return Either.match(Schemas.pageOf(query), {
        onLeft: (problem) => fail(Replies.badRequest(problem)),
        onRight: (page) =>
          Effect.map(
            call.route === "runningTasks" ? store.running(projectId, page) : store.failed(projectId, page),
            ({ tasks, total }) =>
              Either.right({
                status: 200,
                body: {
                  total,
                  tasks: tasks.map((task) =>
                    call.route === "runningTasks" ? listed(task) : {
                      ...listed(task),
                      task_error_code: task.error?.code ?? "",
                      task_error_msg: task.error?.message ?? ""
                    }
                  )
                }
              })
          )
      })
    case "deleteFailedTasks":
      return Effect.as(store.deleteFailed(projectId), Either.right({ status: 200, body: undefined }))
    case "deleteFailedTask":
      return Effect.map(
        store.deleteFailed(projectId, call.taskId!),
        (deleted) =>
          deleted === 0
            ? Either.left(Replies.taskNotFound(call.taskId!))
            : Either.right({ status: 200, body: undefined })
      )
    case "projects":
      return ok(200, {
        projects: [{ id: projectId, name: query.get("name") ?? "", enabled: true }],
        links: { self: "/v3/projects" }
      })
  }
}

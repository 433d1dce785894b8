/** What each route does with the task store, once its request has passed the gateway. */
import * as Gateway from "@effect-kps/testing/Gateway"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Task, TaskStore } from "../TaskStore.js"
import * as ApiError from "./apiError.js"
import type { Answer, Call } from "./endpoint.js"
import * as Schemas from "./schemas.js"
import { operateTypes } from "./tasks.js"

type Handler = (call: Call) => Effect.Effect<Answer, ApiError.Failure>

const listed = (task: Task) => ({
  task_id: task.taskId,
  operate_type: operateTypes[task.operation],
  task_time: task.createdAt,
  server_name: task.serverName,
  server_id: task.serverId,
  keypair_name: task.keypairName ?? ""
})

const withError = (task: Task) => ({
  ...listed(task),
  task_error_code: task.error?.code ?? "",
  task_error_msg: task.error?.message ?? ""
})

/** The 202 of associate and disassociate: the task to wait on. */
const accepted = (task: Task): Answer => ({ status: 202, body: { task_id: task.taskId, server_id: task.serverId } })

export const make = (store: TaskStore, refuseServers: ReadonlySet<string>) => {
  const admit = (serverId: string): Effect.Effect<void, ApiError.ApiError> =>
    refuseServers.has(serverId) ? Effect.fail(ApiError.refusedServer(serverId)) : Effect.void

  const page = (
    list: TaskStore["running"],
    row: (task: Task) => unknown
  ): Handler =>
  (call) =>
    Effect.flatMap(
      // The gateway's page rule, which the stub applies too.
      Gateway.pageOf(call.query),
      (request) =>
        Effect.map(list(call.projectId, request), ({ tasks, total }) => ({
          status: 200,
          body: { total, tasks: tasks.map(row) }
        }))
    )

  const getTask = (call: Call, taskId: string): Effect.Effect<Answer, ApiError.Failure> =>
    Effect.flatMap(store.get(call.projectId, taskId), (task) =>
      Option.match(task, {
        onNone: () => Effect.fail(Gateway.unknownTask(taskId)),
        onSome: (task) =>
          Effect.succeed({
            status: 200,
            body: { task_id: task.taskId, task_status: task.status, server_id: task.serverId }
          })
      }))

  const associate: Handler = (call) =>
    Schemas.decodeBody(Schemas.Associate, call.body).pipe(
      Effect.tap((request) => admit(request.server.id)),
      Effect.flatMap((request) =>
        store.create({
          projectId: call.projectId,
          operation: "associate",
          serverId: request.server.id,
          keypairName: request.keypair_name
        })
      ),
      Effect.map(accepted)
    )

  const disassociate: Handler = (call) =>
    Schemas.decodeBody(Schemas.Disassociate, call.body).pipe(
      Effect.tap((request) => admit(request.server.id)),
      Effect.flatMap((request) =>
        store.create({ projectId: call.projectId, operation: "disassociate", serverId: request.server.id })
      ),
      Effect.map(accepted)
    )

  // Each server on its own: a refused one is a failed item, the others get their tasks.
  const batchAssociate: Handler = (call) =>
    Schemas.decodeBody(Schemas.BatchAssociate, call.body).pipe(
      Effect.flatMap((request) =>
        Effect.forEach(request.batch_keypairs, (item) =>
          admit(item.server.id).pipe(
            Effect.zipRight(store.create({
              projectId: call.projectId,
              operation: "associate",
              serverId: item.server.id,
              keypairName: item.keypair_name
            })),
            Effect.match({
              onFailure: (refused) => ({
                server_id: item.server.id,
                status: "failed",
                error_code: refused.errorCode,
                error_msg: refused.errorMessage
              }),
              onSuccess: (task) => ({ task_id: task.taskId, server_id: task.serverId, status: "success" })
            })
          ))
      ),
      Effect.map((tasks) => ({ status: 202, body: { tasks } }))
    )

  const deleteFailedTasks: Handler = (call) =>
    Effect.as(store.deleteFailed(call.projectId), { status: 200, body: undefined })

  const deleteFailedTask = (call: Call, taskId: string): Effect.Effect<Answer, ApiError.Failure> =>
    Effect.flatMap(
      store.deleteFailed(call.projectId, taskId),
      (deleted) =>
        deleted === 0 ? Effect.fail(Gateway.unknownTask(taskId)) : Effect.succeed({ status: 200, body: undefined })
    )

  const projects: Handler = (call) =>
    Effect.succeed({
      status: 200,
      body: {
        projects: [{ id: call.projectId, name: call.query.get("name") ?? "", enabled: true }],
        links: { self: "/v3/projects" }
      }
    })

  return {
    getTask,
    associate,
    disassociate,
    batchAssociate,
    runningTasks: page((projectId, request) => store.running(projectId, request), listed),
    failedTasks: page((projectId, request) => store.failed(projectId, request), withError),
    deleteFailedTasks,
    deleteFailedTask,
    projects
  }
}

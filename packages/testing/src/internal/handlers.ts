/** What each route answers, once its request has passed the gateway and any script of the route. */
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Gateway from "../Gateway.js"
import type { Reply, Scenario, StartedTask } from "./models.js"
import { type Answering, emptyReply, gatewayReply, jsonReply } from "./replies.js"
import * as Requests from "./requests.js"
import type * as Routes from "./routes.js"
import type { Listed, TaskStore } from "./taskStore.js"

/** A request on its route. */
export interface Call {
  readonly name: Routes.Name
  /** The task id of the path, for `getTask` and `deleteFailedTask`. */
  readonly taskId: string | undefined
  readonly url: URL
  readonly body: Uint8Array | undefined
  readonly now: number
}

/** The answer a route gives: the reply, the task it is about, and how late it comes. */
export interface Handled {
  readonly reply: Answering
  readonly task: { readonly taskId: string; readonly serverId: string | undefined }
  readonly latency: Duration.Duration | undefined
}

const noTask = { taskId: "", serverId: undefined }

const now = (reply: Answering): Handled => ({ reply, task: noTask, latency: undefined })

const row = (task: Listed) => ({
  task_id: task.taskId,
  operate_type: task.operateType ?? null,
  task_time: task.createdAt,
  server_name: task.serverId === undefined ? null : `stub-server-${task.serverId}`,
  server_id: task.serverId ?? null,
  keypair_name: task.keypairName ?? null
})

const failedRow = (task: Listed) => ({
  ...row(task),
  task_error_code: task.error?.code ?? null,
  task_error_msg: task.error?.message ?? null
})

export const make = (store: TaskStore, scenario: Scenario, projectId: string) => {
  const refused = scenario.refuseServers ?? {}
  const isRefused = (serverId: string) => Object.hasOwn(refused, serverId)
  const unknownTask = (taskId: string): Answering => {
    const scripted: Reply | undefined = scenario.unknownTask
    return scripted === undefined || scripted._tag === "Pass" ? gatewayReply(Gateway.unknownTask(taskId)) : scripted
  }

  const start = (
    route: StartedTask["route"],
    server: { readonly id: string },
    keypairName: string | undefined,
    at: number
  ) =>
    store.start({
      operation: route === "disassociateKeypair" ? "disassociate" : "associate",
      route,
      serverId: server.id,
      keypairName
    }, at)

  // One request, one task: KPS's 202, or its 400 for a server it refuses.
  const single = (call: Call, route: "associateKeypair" | "disassociateKeypair"): Handled => {
    const decoded: Either.Either<
      { readonly keypair_name: string | undefined; readonly server: { readonly id: string } },
      Gateway.GatewayError
    > = route === "associateKeypair"
      ? Requests.decodeBody(Requests.bodies.associateKeypair, call.body)
      : Either.map(
        Requests.decodeBody(Requests.bodies.disassociateKeypair, call.body),
        ({ server }) => ({ server, keypair_name: undefined })
      )
    if (Either.isLeft(decoded)) return now(gatewayReply(decoded.left))
    const { keypair_name, server } = decoded.right
    if (isRefused(server.id)) {
      const { code, message } = refused[server.id]
      return now({ _tag: "ApiError", status: 400, errorCode: code, errorMessage: message, shape: "flat", headers: {} })
    }
    const task = start(route, server, keypair_name, call.now)
    return now(jsonReply(202, { task_id: task.taskId, server_id: task.serverId }))
  }

  const batch = (call: Call): Handled => {
    const decoded = Requests.decodeBody(Requests.bodies.batchAssociateKeypairs, call.body)
    if (Either.isLeft(decoded)) return now(gatewayReply(decoded.left))
    const tasks = decoded.right.batch_keypairs.map((item) => {
      if (isRefused(item.server.id)) {
        const { code, message } = refused[item.server.id]
        return { server_id: item.server.id, status: "failed", error_code: code, error_msg: message }
      }
      const task = start("batchAssociateKeypairs", item.server, item.keypair_name, call.now)
      return { task_id: task.taskId, server_id: task.serverId, status: "success" }
    })
    return now(jsonReply(202, { tasks }))
  }

  const page = (call: Call, list: "running" | "failed"): Handled => {
    const request = Gateway.pageOf(call.url.searchParams)
    if (Either.isLeft(request)) return now(gatewayReply(request.left))
    const { limit, offset } = request.right
    const tasks = store.list(list, call.now)
    return now(jsonReply(200, {
      total: tasks.length,
      tasks: tasks.slice(offset, offset + limit).map(list === "running" ? row : failedRow)
    }))
  }

  const getTask = (call: Call, taskId: string): Handled => {
    const found = store.step(taskId, call.now)
    if (found === undefined) return now(unknownTask(taskId))
    const { serverId, step } = found
    return {
      reply: step.reply._tag === "Pass" ? unknownTask(taskId) : step.reply,
      task: { taskId, serverId },
      latency: step.latency
    }
  }

  const projects = (call: Call): Handled => {
    const name = call.url.searchParams.get("name")
    return now(jsonReply(200, {
      projects: scenario.projects === undefined
        ? [{ id: projectId, name: name ?? "" }]
        : scenario.projects.filter((project) => name === null || project.name === name),
      links: { self: "https://iam.example.invalid/v3/projects" }
    }))
  }

  return (call: Call): Handled => {
    switch (call.name) {
      case "getTask":
        return getTask(call, call.taskId ?? "")
      case "associateKeypair":
      case "disassociateKeypair":
        return single(call, call.name)
      case "batchAssociateKeypairs":
        return batch(call)
      case "listRunningTasks":
        return page(call, "running")
      case "listFailedTasks":
        return page(call, "failed")
      case "deleteFailedTask": {
        const taskId = call.taskId ?? ""
        return now(
          store.deleteFailed(taskId, call.now) === 0 ? gatewayReply(Gateway.unknownTask(taskId)) : emptyReply(200)
        )
      }
      case "deleteAllFailedTasks":
        store.deleteFailed(undefined, call.now)
        return now(emptyReply(200))
      case "projects":
        return projects(call)
    }
  }
}

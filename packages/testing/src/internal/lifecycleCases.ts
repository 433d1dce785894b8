/**
 * The transport contract's cases of the task lifecycle: the 202 of a started task, a batch's
 * mixed results, pages of running and failed tasks, answers without a body, and hostile ones.
 */
import type { AssociateRequest } from "@effect-kps/core/KeypairAssociation"
import * as Redacted from "effect/Redacted"
import type { Case } from "../TransportContract.js"
import { json, serverId, taskId } from "./contractAnswers.js"

const otherServer = "5d1ec0b2-7d7a-4f43-9c68-0b1f4a2e0007"
const stoppedServer = "5d1ec0b2-7d7a-4f43-9c68-0b1f4a2e0008"
// 2026-01-01T00:00:00Z, as KPS sends a task's time: epoch milliseconds.
const taskTime = 1_767_225_600_000

const associate = (server: string): AssociateRequest => ({
  keypairName: "deploy-2026",
  server: { id: server, auth: { type: "password", key: Redacted.make("contract-root-password") }, port: 22 }
})

const listed = {
  task_id: taskId,
  operate_type: "RESET",
  task_time: taskTime,
  server_name: "web-1",
  server_id: serverId,
  keypair_name: "deploy-2026"
}

const nulls = {
  task_id: "b1c2d3e4-0000-4000-8000-000000000002",
  operate_type: null,
  task_time: null,
  server_name: null,
  server_id: null,
  keypair_name: null
}

/** The cases of the lifecycle calls. */
export const lifecycleCases: ReadonlyArray<Case> = [
  {
    name: "associate: a 202 with the task id",
    call: { _tag: "associateKeypair", request: associate(serverId) },
    answer: json(202, { task_id: taskId, server_id: serverId }),
    expected: { _tag: "Success", value: { taskId, serverId } }
  },
  {
    name: "disassociate: a 202 with the task id and no server id",
    call: { _tag: "disassociateKeypair", request: { server: { id: serverId } } },
    answer: json(202, { task_id: taskId }),
    expected: { _tag: "Success", value: { taskId } }
  },
  {
    name: "batch: started, refused and unanswered servers, in the request's order",
    call: {
      _tag: "batchAssociateKeypairs",
      items: [associate(serverId), associate(stoppedServer), associate(otherServer)]
    },
    // Out of order, matched by server_id; the third server is not mentioned.
    answer: json(202, {
      tasks: [
        { server_id: stoppedServer, status: "failed", error_code: "KPS.2002", error_msg: "the server is stopped" },
        { task_id: taskId, server_id: serverId, status: "success" }
      ]
    }),
    expected: {
      _tag: "Success",
      value: [
        { _tag: "Right", right: { taskId, serverId } },
        {
          _tag: "Left",
          left: {
            _tag: "BatchItemError",
            serverId: stoppedServer,
            errorCode: "KPS.2002",
            errorMessage: "the server is stopped"
          }
        },
        { _tag: "Left", left: { _tag: "BatchItemError", serverId: otherServer, errorCode: "" } }
      ]
    }
  },
  {
    name: "running tasks: a page, with null fields",
    call: { _tag: "listRunningTasks", page: { limit: 2, offset: 0 } },
    answer: json(200, { total: 3, tasks: [listed, nulls] }),
    expected: {
      _tag: "Success",
      value: {
        total: 3,
        tasks: [
          {
            taskId,
            operateType: "RESET",
            taskTime: { epochMillis: taskTime },
            serverName: "web-1",
            serverId,
            keypairName: "deploy-2026"
          },
          { taskId: nulls.task_id }
        ]
      }
    }
  },
  {
    name: "running tasks: an empty page",
    call: { _tag: "listRunningTasks", page: { limit: 100, offset: 300 } },
    answer: json(200, { total: 0, tasks: [] }),
    expected: { _tag: "Success", value: { total: 0, tasks: [] } }
  },
  {
    name: "failed tasks: a page with error codes, null fields and a time as text",
    call: { _tag: "listFailedTasks" },
    answer: json(200, {
      total: 2,
      tasks: [
        { ...listed, operate_type: "UNBIND", task_error_code: "KPS.2001", task_error_msg: "ssh refused" },
        { ...nulls, task_time: String(taskTime), task_error_code: null, task_error_msg: null }
      ]
    }),
    expected: {
      _tag: "Success",
      value: {
        total: 2,
        tasks: [
          { taskId, operateType: "UNBIND", taskErrorCode: "KPS.2001", taskErrorMsg: "ssh refused" },
          { taskId: nulls.task_id, taskTime: { epochMillis: taskTime } }
        ]
      }
    }
  },
  {
    name: "delete a failed task: a 200 with an empty body",
    call: { _tag: "deleteFailedTask", taskId },
    answer: { status: 200, headers: { "x-request-id": "contract-delete" }, body: "" },
    expected: { _tag: "Success" }
  },
  {
    name: "delete all failed tasks: a 204",
    call: { _tag: "deleteAllFailedTasks" },
    answer: { status: 204, headers: { "x-request-id": "contract-204" }, body: "" },
    expected: { _tag: "Success" }
  },
  {
    name: "delete all failed tasks: a 200 with a body, which is ignored",
    call: { _tag: "deleteAllFailedTasks" },
    answer: json(200, { deleted: 3 }),
    expected: { _tag: "Success" }
  },
  {
    name: "delete a failed task that is not there: 404 KPS.0001",
    call: { _tag: "deleteFailedTask", taskId },
    answer: json(404, { error_code: "KPS.0001", error_msg: `The task ${taskId} does not exist` }),
    expected: {
      _tag: "Failure",
      error: { _tag: "KpsApiError", status: 404, errorCode: "KPS.0001", requestId: "contract-404" }
    }
  },
  {
    name: "associate: a 202 without task_id",
    call: { _tag: "associateKeypair", request: associate(serverId) },
    answer: json(202, { server_id: serverId }),
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 202, requestId: "contract-202" } }
  },
  {
    name: "running tasks: a page whose tasks is not an array",
    call: { _tag: "listRunningTasks" },
    answer: json(200, { total: 1, tasks: { task_id: taskId } }),
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 200, requestId: "contract-200" } }
  }
]

/**
 * The behaviour every transport must share: answers as they come over the wire, and what
 * `KpsClient.getTask` must make of each. The Node and browser transports and the `KpsTesting`
 * stub all run these same cases, so none of them can drift; a transport of your own can too.
 *
 * @since 0.1.0
 */
import type { KeypairTask } from "@effect-kps/core/KeypairTask"
import type { KpsError } from "@effect-kps/core/KpsError"
import * as Either from "effect/Either"

/**
 * An HTTP answer, byte for byte.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * One case: the task id asked for, the answer the server gives, and the outcome expected: the
 * task fields, or the error fields (each a partial match).
 *
 * @since 0.1.0
 * @category models
 */
export interface Case {
  readonly name: string
  readonly taskId: string
  readonly answer: Answer
  readonly expected:
    | { readonly _tag: "Success"; readonly task: Partial<Pick<KeypairTask, "taskId" | "taskStatus" | "serverId">> }
    | { readonly _tag: "Failure"; readonly error: Partial<KpsError> & Pick<KpsError, "_tag"> }
}

const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json", "x-request-id": `contract-${status}`, ...headers },
  body: JSON.stringify(body)
})

/**
 * The cases.
 *
 * @since 0.1.0
 * @category cases
 */
export const cases: ReadonlyArray<Case> = [
  {
    name: "the documented example",
    taskId,
    answer: json(200, {
      task_id: taskId,
      task_status: "RUNNING_RESET",
      server_id: "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006"
    }),
    expected: {
      _tag: "Success",
      task: { taskId, taskStatus: "RUNNING_RESET", serverId: "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006" }
    }
  },
  {
    name: "extra fields and an unknown status",
    taskId,
    answer: json(200, { task_id: taskId, task_status: "DEFROSTING_BIND", keypair_name: "k", extra: { a: [1] } }),
    expected: { _tag: "Success", task: { taskId, taskStatus: "DEFROSTING_BIND" } }
  },
  {
    name: "a body without task_id",
    taskId,
    answer: json(200, { task_status: "SUCCESS_UNBIND" }),
    expected: { _tag: "Success", task: { taskId, taskStatus: "SUCCESS_UNBIND" } }
  },
  {
    name: "an empty 200 body",
    taskId,
    answer: { status: 200, headers: { "x-request-id": "contract-empty" }, body: "" },
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 200, requestId: "contract-empty" } }
  },
  {
    name: "a 200 body that is not JSON",
    taskId,
    answer: { status: 200, headers: { "content-type": "text/plain" }, body: "RUNNING_RESET" },
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 200 } }
  },
  {
    name: "a flat error body",
    taskId,
    answer: json(400, { error_code: "KPS.0001", error_msg: "taskId is illegal" }),
    expected: {
      _tag: "Failure",
      error: {
        _tag: "KpsApiError",
        status: 400,
        errorCode: "KPS.0001",
        errorMessage: "taskId is illegal",
        requestId: "contract-400"
      }
    }
  },
  {
    name: "a nested error body",
    taskId,
    answer: json(403, { error: { error_code: "APIG.0302", error_msg: "not authorised" } }),
    expected: { _tag: "Failure", error: { _tag: "KpsApiError", status: 403, errorCode: "APIG.0302" } }
  },
  {
    name: "a code/message error body",
    taskId,
    answer: json(500, { code: "KPS.0003", message: "Dependency service unavailable" }),
    expected: {
      _tag: "Failure",
      error: { _tag: "KpsApiError", status: 500, errorCode: "KPS.0003", errorMessage: "Dependency service unavailable" }
    }
  },
  {
    name: "a gateway's HTML 502",
    taskId,
    answer: {
      status: 502,
      headers: { "content-type": "text/html", "x-request-id": "contract-502" },
      body: "<html><body><h1>502 Bad Gateway</h1></body></html>"
    },
    expected: {
      _tag: "Failure",
      error: {
        _tag: "KpsApiError",
        status: 502,
        errorCode: "",
        errorMessage: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        requestId: "contract-502"
      }
    }
  },
  {
    name: "throttling with Retry-After",
    taskId,
    answer: json(429, { error_code: "APIG.0308", error_msg: "policy user over ratelimit" }, { "retry-after": "3" }),
    expected: { _tag: "Failure", error: { _tag: "KpsApiError", status: 429, errorCode: "APIG.0308", retryAfter: "3" } }
  }
]

/**
 * What `KpsClient.getTask` made of a case's answer, in the shape of {@link Case.expected}, so that
 * one partial match checks a case: `expect(outcome(result)).toMatchObject(contractCase.expected)`.
 *
 * @since 0.1.0
 * @category checking
 */
export const outcome = (
  result: Either.Either<KeypairTask, KpsError>
): { readonly _tag: "Success"; readonly task: KeypairTask } | { readonly _tag: "Failure"; readonly error: KpsError } =>
  Either.match(result, {
    onRight: (task) => ({ _tag: "Success", task }) as const,
    onLeft: (error) => ({ _tag: "Failure", error }) as const
  })

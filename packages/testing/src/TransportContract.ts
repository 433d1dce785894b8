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
 * An HTTP answer, byte for byte: the body as text, or as bytes (a compressed one, say). A server
 * sends `Content-Length` as the body's length unless `headers` gives one.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array
}

const encoder = /* @__PURE__ */ new TextEncoder()

/**
 * The body of an answer as bytes.
 *
 * @since 0.1.0
 * @category serializing
 */
export const bodyBytes = (answer: Answer): Uint8Array =>
  typeof answer.body === "string" ? encoder.encode(answer.body) : answer.body

/**
 * An answer as an HTTP/1.1 server writes it on the socket, for test servers that must send what
 * an HTTP library would refuse to (a body after a 204, say): the status line, the headers (and
 * `extraHeaders`, such as CORS ones), `Content-Length` unless given, `Connection: close`, the body.
 *
 * @example
 * ```ts
 * import { TransportContract } from "@effect-kps/testing"
 * import { createServer } from "node:net"
 *
 * const [contractCase] = TransportContract.cases
 * const server = createServer((socket) =>
 *   socket.once("data", () => socket.end(TransportContract.serialize(contractCase.answer)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category serializing
 */
export const serialize = (answer: Answer, extraHeaders: Readonly<Record<string, string>> = {}): Uint8Array => {
  const body = bodyBytes(answer)
  const headers: Record<string, string> = { ...answer.headers, ...extraHeaders }
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-length")) {
    headers["content-length"] = String(body.length)
  }
  headers["connection"] = "close"
  const head = `HTTP/1.1 ${answer.status} Answer\r\n${
    Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")
  }\r\n`
  const headBytes = encoder.encode(head)
  const bytes = new Uint8Array(headBytes.length + body.length)
  bytes.set(headBytes)
  bytes.set(body, headBytes.length)
  return bytes
}

const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

// `gzip -9` of this case's task: {"task_id":"<taskId>","task_status":"SUCCESS_RESET","server_id":"c9aa…0006"}
const gzipTask = /* @__PURE__ */ fromBase64(
  "H4sIAAAAAAACAyXMOw7DIAwA0Lt4jiUoNp+sERco7RwZcKSqW0i6VL17hxzgvS8cMt7rq8MMohr7bVNkioQU2GGyISCLi71ZZvINpguMQ45zwAzluSy5lPWeS37ABEP3j+5X2JKITaGi+OqRmnNYnXjcxFTSxsYYD78/3dGFa4MAAAA="
)

// `gzip -9` of {"task_id":"aaa…(2 MiB of a)…","task_status":"SUCCESS_RESET"}: 2,111 bytes, most
// of them a run of 2,031 zero bytes, written here as one.
const gzipBomb = /* @__PURE__ */ ((): Uint8Array => {
  const head = fromBase64("H4sIAAAAAAACA+3BsQ2AIBAAwF2+dgJawgKiNSGxMZZgZdzdMWzu7onZx9XOI1J0")
  const tail = fromBase64("gJ/FErOPq43Z5z0iRd1zLrW2tdSyxfsBHjoqsiwAIAA=")
  const bytes = new Uint8Array(head.length + 2031 + tail.length)
  bytes.set(head)
  bytes.set(tail, head.length + 2031)
  return bytes
})()

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
    name: "a 407 from the server itself, which fetch reads as a network error",
    taskId,
    answer: json(407, { error_code: "APIG.0000", error_msg: "proxy authentication required" }),
    expected: { _tag: "Failure", error: { _tag: "KpsTransportError", reason: "Transport" } }
  },
  {
    name: "a 204 with a body, which is no content",
    taskId,
    answer: json(204, { task_id: taskId, task_status: "SUCCESS_RESET" }),
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 204, requestId: "contract-204" } }
  },
  {
    name: "a 205 with a body, which is no content",
    taskId,
    answer: json(205, { task_id: taskId, task_status: "SUCCESS_RESET" }),
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 205, requestId: "contract-205" } }
  },
  {
    name: "a 304 with a body, which is no content",
    taskId,
    answer: json(304, { error_code: "KPS.0001", error_msg: "not modified" }),
    expected: {
      _tag: "Failure",
      error: { _tag: "KpsApiError", status: 304, errorCode: "", errorMessage: "", requestId: "contract-304" }
    }
  },
  {
    name: "a gzip-compressed task",
    taskId,
    answer: {
      status: 200,
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipTask
    },
    expected: { _tag: "Success", task: { taskId, taskStatus: "SUCCESS_RESET" } }
  },
  {
    name: "a body that says gzip but is not",
    taskId,
    answer: {
      status: 200,
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: JSON.stringify({ task_id: taskId, task_status: "SUCCESS_RESET" })
    },
    expected: { _tag: "Failure", error: { _tag: "KpsTransportError", reason: "Transport" } }
  },
  {
    name: "a gzip bomb: 2 KB that inflate past the body limit",
    taskId,
    answer: {
      status: 200,
      headers: { "content-type": "application/json", "content-encoding": "gzip", "x-request-id": "contract-bomb" },
      body: gzipBomb
    },
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 200, requestId: "contract-bomb" } }
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

/** The transport contract's cases of `getTask`: every way a task's answer can come over the wire. */
import type { Case } from "../TransportContract.js"
import { fromBase64, json, taskId } from "./contractAnswers.js"

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

/** The cases of `getTask`. */
export const taskCases: ReadonlyArray<Case> = [
  {
    name: "the documented example",
    call: { _tag: "getTask", taskId },
    answer: json(200, {
      task_id: taskId,
      task_status: "RUNNING_RESET",
      server_id: "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006"
    }),
    expected: {
      _tag: "Success",
      value: { taskId, taskStatus: "RUNNING_RESET", serverId: "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006" }
    }
  },
  {
    name: "extra fields and an unknown status",
    call: { _tag: "getTask", taskId },
    answer: json(200, { task_id: taskId, task_status: "DEFROSTING_BIND", keypair_name: "k", extra: { a: [1] } }),
    expected: { _tag: "Success", value: { taskId, taskStatus: "DEFROSTING_BIND" } }
  },
  {
    name: "a body without task_id",
    call: { _tag: "getTask", taskId },
    answer: json(200, { task_status: "SUCCESS_UNBIND" }),
    expected: { _tag: "Success", value: { taskId, taskStatus: "SUCCESS_UNBIND" } }
  },
  {
    name: "an empty 200 body",
    call: { _tag: "getTask", taskId },
    answer: { status: 200, headers: { "x-request-id": "contract-empty" }, body: "" },
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 200, requestId: "contract-empty" } }
  },
  {
    name: "a 200 body that is not JSON",
    call: { _tag: "getTask", taskId },
    answer: { status: 200, headers: { "content-type": "text/plain" }, body: "RUNNING_RESET" },
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 200 } }
  },
  {
    name: "a flat error body",
    call: { _tag: "getTask", taskId },
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
    call: { _tag: "getTask", taskId },
    answer: json(403, { error: { error_code: "APIG.0302", error_msg: "not authorised" } }),
    expected: { _tag: "Failure", error: { _tag: "KpsApiError", status: 403, errorCode: "APIG.0302" } }
  },
  {
    name: "a code/message error body",
    call: { _tag: "getTask", taskId },
    answer: json(500, { code: "KPS.0003", message: "Dependency service unavailable" }),
    expected: {
      _tag: "Failure",
      error: { _tag: "KpsApiError", status: 500, errorCode: "KPS.0003", errorMessage: "Dependency service unavailable" }
    }
  },
  {
    name: "a gateway's HTML 502",
    call: { _tag: "getTask", taskId },
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
    call: { _tag: "getTask", taskId },
    answer: json(407, { error_code: "APIG.0000", error_msg: "proxy authentication required" }),
    expected: { _tag: "Failure", error: { _tag: "KpsTransportError", reason: "Transport" } }
  },
  {
    name: "a 204 with a body, which is no content",
    call: { _tag: "getTask", taskId },
    answer: json(204, { task_id: taskId, task_status: "SUCCESS_RESET" }),
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 204, requestId: "contract-204" } }
  },
  {
    name: "a 205 with a body, which is no content",
    call: { _tag: "getTask", taskId },
    answer: json(205, { task_id: taskId, task_status: "SUCCESS_RESET" }),
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 205, requestId: "contract-205" } }
  },
  {
    name: "a 304 with a body, which is no content",
    call: { _tag: "getTask", taskId },
    answer: json(304, { error_code: "KPS.0001", error_msg: "not modified" }),
    expected: {
      _tag: "Failure",
      error: { _tag: "KpsApiError", status: 304, errorCode: "", errorMessage: "", requestId: "contract-304" }
    }
  },
  {
    name: "a gzip-compressed task",
    call: { _tag: "getTask", taskId },
    answer: {
      status: 200,
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipTask
    },
    expected: { _tag: "Success", value: { taskId, taskStatus: "SUCCESS_RESET" } }
  },
  {
    name: "a body that says gzip but is not",
    call: { _tag: "getTask", taskId },
    answer: {
      status: 200,
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: JSON.stringify({ task_id: taskId, task_status: "SUCCESS_RESET" })
    },
    expected: { _tag: "Failure", error: { _tag: "KpsTransportError", reason: "Transport" } }
  },
  {
    name: "a gzip bomb: 2 KB that inflate past the body limit",
    call: { _tag: "getTask", taskId },
    answer: {
      status: 200,
      headers: { "content-type": "application/json", "content-encoding": "gzip", "x-request-id": "contract-bomb" },
      body: gzipBomb
    },
    expected: { _tag: "Failure", error: { _tag: "KpsDecodeError", status: 200, requestId: "contract-bomb" } }
  },
  {
    name: "throttling with Retry-After",
    call: { _tag: "getTask", taskId },
    answer: json(429, { error_code: "APIG.0308", error_msg: "policy user over ratelimit" }, { "retry-after": "3" }),
    expected: { _tag: "Failure", error: { _tag: "KpsApiError", status: 429, errorCode: "APIG.0308", retryAfter: "3" } }
  }
]

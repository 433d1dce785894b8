/**
 * A loopback KPS stand-in for benchmarks: answers every task query with the documented example,
 * keep-alive on. Runs in its own process so that it does not share the client's event loop.
 * Prints its port on the first line; stops when its parent closes stdin.
 */
import { createServer } from "node:http"
import { serveOnLoopback } from "./loopback.js"

const body = JSON.stringify({
  task_id: "aee8d2fe-5484-4753-9177-5a38dc15546c",
  task_status: "RUNNING_RESET",
  server_id: "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006"
})
const length = String(Buffer.byteLength(body))
let requests = 0

const server = createServer((request, response) => {
  requests++
  request.resume()
  response.writeHead(200, {
    "content-type": "application/json",
    "content-length": length,
    "x-request-id": `bench-${requests}`
  })
  response.end(body)
})
serveOnLoopback(server)

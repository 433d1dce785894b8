/**
 * A loopback KPS stand-in for the waiter benchmark: each task is RUNNING_RESET until its own
 * finish time, a random point within BENCH_FINISH_MS of the first query for it, then
 * SUCCESS_RESET. Runs in its own process; prints its port; stops when stdin closes.
 */
import { createServer } from "node:http"
import { serveOnLoopback } from "./loopback.js"

const finishWithin = Number(process.env.BENCH_FINISH_MS ?? 3_000)
const finishAt = new Map<string, number>()

const server = createServer((request, response) => {
  request.resume()
  const taskId = (request.url ?? "").split("/tasks/")[1] ?? ""
  const now = Date.now()
  if (!finishAt.has(taskId)) finishAt.set(taskId, now + Math.random() * finishWithin)
  const body = JSON.stringify({
    task_id: taskId,
    task_status: now >= finishAt.get(taskId)! ? "SUCCESS_RESET" : "RUNNING_RESET"
  })
  response.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) })
  response.end(body)
})
serveOnLoopback(server)

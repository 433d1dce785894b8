import { KpsClient } from "@effect-kps/core"
import { KpsTesting } from "@effect-kps/testing"
import { Effect } from "effect"
const n = Number(process.env.N ?? 30000)
const prog = Effect.gen(function*() {
  for (let i = 0; i < 2000; i++) yield* KpsClient.getTask("task-1")
  const cpu = process.cpuUsage()
  for (let i = 0; i < n; i++) yield* KpsClient.getTask("task-1")
  const u = process.cpuUsage(cpu)
  console.log(`getTask on stub: ${((u.user + u.system) / n).toFixed(1)} µs CPU/call`)
}).pipe(Effect.provide(KpsTesting.layerClient({ tasks: { "task-1": [KpsTesting.status("RUNNING_RESET")] }, record: false })))
await Effect.runPromise(prog)

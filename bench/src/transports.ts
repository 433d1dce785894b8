/**
 * Transport benchmark: plain fetch, node:http keep-alive, and @effect-kps/node, sequential and
 * at concurrency 64, against a loopback server in its own process. Each layer is called two ways:
 * inside one Effect program (a fiber per request) and from Promise code (`runtime.runPromise` per
 * request, driven like the baselines). Prints requests/s, p50/p99 latency, client CPU per request,
 * ratios to plain fetch measured in the same run, and the issue-13 target (`KpsNode.layer` ≥ 1.0×
 * plain fetch in all four modes). Figures, not assertions.
 *
 * `BENCH_CLIENTS=KpsNode.layer` (a comma-separated list of names) runs only those Effect clients,
 * beside the baselines; `BENCH_ROUNDS`, `BENCH_SEQUENTIAL`, `BENCH_CONCURRENT` size a run.
 */
import { Credentials, KpsClient } from "@effect-kps/core"
import { KpsNode } from "@effect-kps/node"
import { Effect, type Layer, ManagedRuntime } from "effect"
import { spawn } from "node:child_process"
import { Agent, request as httpRequest } from "node:http"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

// Run bundled (run.mjs), this file is not where its sources are.
const sources = process.env.BENCH_SOURCES ?? dirname(fileURLToPath(import.meta.url))

const sequentialRequests = Number(process.env.BENCH_SEQUENTIAL ?? 3_000)
const concurrentRequests = Number(process.env.BENCH_CONCURRENT ?? 15_000)
const concurrency = 64
const warmup = 500

const server = spawn(process.execPath, ["--import", "tsx", join(sources, "server.ts")], {
  stdio: ["pipe", "pipe", "inherit"]
})
const port = await new Promise<number>((resolve) => server.stdout!.once("data", (d) => resolve(Number(String(d)))))
const origin = `http://127.0.0.1:${port}`
const projectId = "0123456789abcdef0123456789abcdef"
const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
const url = `${origin}/v3/${projectId}/tasks/${taskId}`
const headers = {
  "content-type": "application/json",
  accept: "application/json",
  "x-auth-token": "bench-token",
  "x-project-id": projectId
}

interface Figures {
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
  readonly cpuMicros: number
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

const figuresOf = (
  latencies: Array<number>,
  count: number,
  elapsed: number,
  cpu: NodeJS.CpuUsage
): Figures => {
  latencies.sort((a, b) => a - b)
  return {
    perSecond: count / (elapsed / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuMicros: (cpu.user + cpu.system) / count
  }
}

/** Runs `count` requests `width` at a time through `once`, timing each. */
const drive = async (once: () => Promise<unknown>, count: number, width: number): Promise<Figures> => {
  const latencies: Array<number> = []
  let started = 0
  const cpu = process.cpuUsage()
  const begin = performance.now()
  await Promise.all(Array.from({ length: width }, async () => {
    while (started++ < count) {
      const t = performance.now()
      await once()
      latencies.push(performance.now() - t)
    }
  }))
  return figuresOf(latencies, count, performance.now() - begin, process.cpuUsage(cpu))
}

/** The same for an Effect, run the Effect way: one fiber per request, `width` at a time. */
const driveEffect = async <E>(
  runtime: ManagedRuntime.ManagedRuntime<KpsClient.KpsClient, E>,
  count: number,
  width: number
): Promise<Figures> => {
  const latencies: Array<number> = []
  const timed = Effect.suspend(() => {
    const t = performance.now()
    return Effect.map(KpsClient.getTask(taskId), () => latencies.push(performance.now() - t))
  })
  const cpu = process.cpuUsage()
  const begin = performance.now()
  await runtime.runPromise(Effect.forEach(Array.from({ length: count }), () => timed, {
    concurrency: width,
    discard: true
  }))
  return figuresOf(latencies, count, performance.now() - begin, process.cpuUsage(cpu))
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
const baselines: Record<string, () => Promise<unknown>> = {
  "plain fetch": async () => (await fetch(url, { headers })).json(),
  "node:http keep-alive": () =>
    new Promise((resolve, reject) => {
      const request = httpRequest(url, { agent, headers }, (response) => {
        let body = ""
        response.setEncoding("utf8")
        response.on("data", (chunk) => body += chunk)
        response.on("end", () => resolve(JSON.parse(body)))
      })
      request.on("error", reject)
      request.end()
    })
}

const options = { endpoint: origin, projectId, credentials: Credentials.token("bench-token") }
const allClients: Record<string, Layer.Layer<KpsClient.KpsClient, unknown>> = {
  "KpsNode.layer": KpsNode.layer(options),
  "KpsNode.layerFetch": KpsNode.layerFetch(options)
}
const only = process.env.BENCH_CLIENTS?.split(",").filter((name) => name !== "")
const clients = Object.fromEntries(
  Object.entries(allClients).filter(([name]) => only === undefined || only.includes(name))
)
/** How a client is called: inside one Effect program, or `runPromise` per request from Promise code. */
const callers = {
  "Effect": driveEffect,
  "runPromise": <E>(runtime: ManagedRuntime.ManagedRuntime<KpsClient.KpsClient, E>, count: number, width: number) =>
    drive(() => runtime.runPromise(KpsClient.getTask(taskId)), count, width)
} as const

// Rounds interleave the clients, each round in an order rotated by one; each figure printed is
// the median of its rounds. Two cores are shared by this process and the server: single runs vary.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const samples = new Map<string, Array<Figures>>()
const record = (name: string, mode: string, figures: Figures) => {
  const key = `${name}\u0000${mode}`
  samples.set(key, [...(samples.get(key) ?? []), figures])
}
const runtimes = Object.fromEntries(Object.entries(clients).map(([name, layer]) => [name, ManagedRuntime.make(layer)]))
const modes = [["sequential", sequentialRequests, 1], [
  `concurrency ${concurrency}`,
  concurrentRequests,
  concurrency
]] as const
/** Every client, each way of calling it: a name and how to run `count` requests `width` at a time. */
const contenders: ReadonlyArray<readonly [string, (count: number, width: number) => Promise<Figures>]> = [
  ...Object.entries(baselines).map(([name, once]) =>
    [name, (count: number, width: number) => drive(once, count, width)] as const
  ),
  ...Object.entries(runtimes).flatMap(([name, runtime]) =>
    Object.entries(callers).map(([caller, run]) =>
      [`${name} (${caller})`, (count: number, width: number) => run(runtime, count, width)] as const
    )
  )
]
for (let round = 0; round < rounds; round++) {
  for (const [mode, count, width] of modes) {
    // Each round starts one contender later, so that none always runs first or last.
    for (let i = 0; i < contenders.length; i++) {
      const [name, run] = contenders[(i + round) % contenders.length]
      await run(warmup, width)
      record(name, mode, await run(count, width))
    }
  }
}
for (const runtime of Object.values(runtimes)) await runtime.dispose()

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const results = [...samples].map(([key, figures]) => {
  const [name, mode] = key.split("\u0000")
  return {
    name,
    mode,
    figures: {
      perSecond: median(figures.map((f) => f.perSecond)),
      p50: median(figures.map((f) => f.p50)),
      p99: median(figures.map((f) => f.p99)),
      cpuMicros: median(figures.map((f) => f.cpuMicros))
    }
  }
})

const pad = (text: string, width: number) => text.padEnd(width)
const num = (value: number, digits = 0) => value.toFixed(digits).padStart(8)
console.log(
  `Node ${process.version}, ${sequentialRequests} sequential / ${concurrentRequests} concurrent requests per client and round; median of ${rounds} interleaved rounds; loopback server in a separate process\n`
)
console.log(
  `${pad("client", 34)}${pad("mode", 16)}${"req/s".padStart(8)}${"×fetch".padStart(8)}${"p50 ms".padStart(8)}${
    "p99 ms".padStart(8)
  }${"CPU µs/req".padStart(12)}`
)
for (const { figures, mode, name } of results) {
  const fetchFigures = results.find((r) => r.mode === mode && r.name === "plain fetch")!.figures
  console.log(
    `${pad(name, 34)}${pad(mode, 16)}${num(figures.perSecond)}${num(figures.perSecond / fetchFigures.perSecond, 2)}${
      num(figures.p50, 2)
    }${num(figures.p99, 2)}${num(figures.cpuMicros).padStart(12)}`
  )
}

// Issue 13: KpsNode.layer at least as fast as plain fetch, in every mode and either way of calling.
const target = 1.0
console.log(`\nTarget: KpsNode.layer ≥ ${target.toFixed(2)}× plain fetch req/s (median of ${rounds} rounds)`)
for (const { figures, mode, name } of results.filter((r) => r.name.startsWith("KpsNode.layer ("))) {
  const fetchFigures = results.find((r) => r.mode === mode && r.name === "plain fetch")!.figures
  const ratio = figures.perSecond / fetchFigures.perSecond
  console.log(
    `${pad(name, 34)}${pad(mode, 16)}${num(ratio, 2)}× ${ratio >= target ? "met" : "NOT met"}  (CPU ${
      (figures.cpuMicros / fetchFigures.cpuMicros).toFixed(2)
    }× fetch's µs/req)`
  )
}
server.stdin!.end()
agent.destroy()

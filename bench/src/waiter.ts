/**
 * Waiter benchmark (run bundled: `node run.mjs src/waiter.ts --expose-gc`). Figures, not assertions.
 * Part 1: BENCH_WAITS (default 10,000) concurrent waitForTask calls, one fiber each, on the
 * KpsTesting stub and a virtual clock (./virtualClock.ts: the TestClock is quadratic at this
 * scale), tasks ending within 10 minutes: heap and RSS per waiting task at the peak, against as
 * many bare sleeping fibers (the baseline, same run), and CPU per poll.
 * Part 1b: waitForTasks over BENCH_MANY (default 100,000) stub tasks at once, virtual time, under a
 * BENCH_MANY_LIMIT (default 2,000) a second: heap per waiting task once every task has polled, and
 * CPU per poll. BENCH_SNAPSHOT=FILE writes heap snapshots there (FILE.base before, FILE at the peak).
 * Part 1c: the floor under a stub poll, same run: CPU of one `Effect.withSpan` around nothing (a poll
 * runs two spans, its own and the client's) and of one `getTask` on the stub, one after another.
 * Part 2b: over real loopback sockets, a poll of waitForTask against getTask polled by hand on the
 * same cadence, same server, same width: CPU per request.
 * Part 2a (BENCH_PART=sockets, a process of its own): waitForTasks over BENCH_REAL_WAITS (default
 * 10,000) tasks at once over real loopback sockets with KpsNode.layer: peak RSS, CPU per poll.
 */
import { Credentials, KpsClient } from "@effect-kps/core"
import { KpsNode } from "@effect-kps/node"
import { TaskWaiter, WaitMetrics, WaitPolicy } from "@effect-kps/polling"
import { KpsTesting } from "@effect-kps/testing"
import { Chunk, Effect, Fiber, Layer, Metric, Schedule, Stream } from "effect"
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { writeHeapSnapshot } from "node:v8"
import * as VirtualClock from "./virtualClock.js"

// Run bundled (run.mjs), this file is not where its sources are.
const sources = process.env.BENCH_SOURCES ?? dirname(fileURLToPath(import.meta.url))
const waits = Number(process.env.BENCH_WAITS ?? 10_000)
const manyWaits = Number(process.env.BENCH_MANY ?? 100_000)
const realWaits = Number(process.env.BENCH_REAL_WAITS ?? 10_000)
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`

// A fixed seed: the same tasks, the same end times, on every run.
let seed = 42
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31

const pollCount = Effect.map(Metric.value(WaitMetrics.polls), (state) => state.count)
const turn = Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))

// One policy for all the waits, as an application shares one.
const policy = WaitPolicy.fixed("15 seconds")

/**
 * Heap and RSS per fiber once `count` fibers run `effect` and `settled` says they all sleep.
 * The fibers are left running: the caller decides what happens to them.
 */
const perFiber = <A, E, R>(
  count: number,
  effect: (i: number) => Effect.Effect<A, E, R>,
  settled: Effect.Effect<boolean, never, R>
) =>
  Effect.gen(function*() {
    gc()
    const baseline = process.memoryUsage()
    const fibers = yield* Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) => Effect.fork(effect(i)))
    for (let i = 0; i < 10_000 && !(yield* settled); i++) yield* turn
    gc()
    const peak = process.memoryUsage()
    return {
      fibers,
      heap: (peak.heapUsed - baseline.heapUsed) / count,
      rss: (peak.rss - baseline.rss) / count
    }
  })

/** `count` stub tasks named `prefix-i`, each running until a random time within `seconds`, then done. */
const runningTasks = (prefix: string, count: number, seconds: number) => {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
  const tasks = Object.fromEntries(ids.map((id) => [id, [
    KpsTesting.status("RUNNING_RESET", { for: `${Math.round(random() * seconds)} seconds` }),
    KpsTesting.status("SUCCESS_RESET")
  ]]))
  return { ids, tasks }
}

// Part 1: the stub, virtual time. A fixed 15 s cadence keeps the number of distinct wake-ups small
// (the clock moves from one to the next); the per-wait cost does not depend on the cadence.
const virtual = Effect.gen(function*() {
  const clock = VirtualClock.make()
  const { ids, tasks } = runningTasks("task", waits, 600)
  return yield* Effect.gen(function*() {
    // The baseline: as many bare fibers, each asleep on the same clock, counted the same way.
    let running = waits
    const bare = yield* perFiber(
      waits,
      () => Effect.ensuring(Effect.sleep("15 seconds"), Effect.sync(() => running--)),
      Effect.sync(() => clock.sleeping() >= waits)
    )
    yield* Fiber.interruptAll(bare.fibers)
    const pollsBefore = yield* pollCount
    const cpu = process.cpuUsage()
    running = waits
    // The peak: every wait has polled once and sleeps until its next poll.
    const waiting = yield* perFiber(
      waits,
      (i) => Effect.ensuring(TaskWaiter.waitForTask(ids[i], { policy }), Effect.sync(() => running--)),
      Effect.map(pollCount, (polls) => polls - pollsBefore >= waits && clock.sleeping() >= waits)
    )
    yield* VirtualClock.runToEnd(clock, () => running, { maxMoves: 100_000, maxTurns: 1_000 })
    const used = process.cpuUsage(cpu)
    const polls = (yield* pollCount) - pollsBefore
    return {
      bare,
      waiting,
      polls,
      cpuPerPoll: (used.user + used.system) / polls,
      virtualMinutes: clock.unsafeCurrentTimeMillis() / 60_000
    }
  }).pipe(
    Effect.provide(KpsTesting.layerClient({ tasks, record: false })),
    Effect.withClock(clock)
  )
})

// Part 1b: waitForTasks over many stub tasks, virtual time: the waits share a few fibers, so the
// clock moves once the polls stop moving (no fiber per wait to count asleep).
const many = Effect.gen(function*() {
  const clock = VirtualClock.make()
  const { ids, tasks } = runningTasks("many", manyWaits, 120)
  return yield* Effect.gen(function*() {
    const pollsBefore = yield* pollCount
    const polled = Effect.map(pollCount, (polls) => polls - pollsBefore)
    let ended = 0
    gc()
    if (process.env.BENCH_SNAPSHOT) writeHeapSnapshot(`${process.env.BENCH_SNAPSHOT}.base`)
    const baseline = process.memoryUsage()
    const cpu = process.cpuUsage()
    const fiber = yield* Effect.fork(Stream.runForEach(
      TaskWaiter.waitForTasks(ids, { policy, concurrency: Infinity, rateLimit: manyLimit }),
      () => Effect.sync(() => ended++)
    ))
    let peak: { heap: number; rss: number; waiting: number } | undefined
    // The CPU the measurement itself takes (GC, a snapshot), left out of the CPU per poll.
    let measuring = 0
    // Turns until the polls stand still, then moves the clock; bounded.
    let moves = 0
    for (let last = -1; moves < 1_000_000 && ended < manyWaits; moves++) {
      for (let still = 0, turns = 0; still < 2 && turns < 100_000; turns++) {
        yield* turn
        const now = yield* polled
        still = now === last ? still + 1 : 0
        last = now
      }
      if (peak === undefined && last >= manyWaits) {
        const paused = process.cpuUsage()
        gc()
        const memory = process.memoryUsage()
        const waiting = manyWaits - ended
        peak = {
          heap: (memory.heapUsed - baseline.heapUsed) / waiting,
          rss: (memory.rss - baseline.rss) / waiting,
          waiting
        }
        if (process.env.BENCH_SNAPSHOT) writeHeapSnapshot(process.env.BENCH_SNAPSHOT)
        const pause = process.cpuUsage(paused)
        measuring = pause.user + pause.system
      }
      if (ended < manyWaits && !clock.advance()) yield* turn
    }
    yield* Fiber.join(fiber)
    const used = process.cpuUsage(cpu)
    const polls = yield* polled
    return {
      peak: peak!,
      polls,
      ended,
      cpuPerPoll: (used.user + used.system - measuring) / polls,
      virtualMinutes: clock.unsafeCurrentTimeMillis() / 60_000
    }
  }).pipe(
    Effect.provide(KpsTesting.layerClient({ tasks, record: false })),
    Effect.withClock(clock)
  )
})
// Enough requests a second that 100,000 tasks are each polled every minute or so of virtual time.
const manyLimit = { limit: Number(process.env.BENCH_MANY_LIMIT ?? 2_000), window: "1 second" } as const

// Part 1c: what a stub poll cannot cost less than, measured one call after another.
const cpuPerCall = <R>(calls: number, effect: Effect.Effect<unknown, unknown, R>) =>
  Effect.gen(function*() {
    for (let i = 0; i < calls / 10; i++) yield* effect
    const cpu = process.cpuUsage()
    for (let i = 0; i < calls; i++) yield* effect
    const used = process.cpuUsage(cpu)
    return (used.user + used.system) / calls
  })
const floor = Effect.gen(function*() {
  const span = yield* cpuPerCall(20_000, Effect.withSpan(Effect.void, "bench.floor"))
  const getTask = yield* cpuPerCall(20_000, KpsClient.getTask("floor"))
  return { span, getTask }
}).pipe(
  Effect.provide(KpsTesting.layerClient({ tasks: { floor: [KpsTesting.status("SUCCESS_RESET")] }, record: false }))
)

// Part 2: real sockets, real time, against a loopback server in its own process.
const startServer = (finishMs: number) =>
  Effect.acquireRelease(
    Effect.promise(() => {
      const server = spawn(process.execPath, ["--import", "tsx", join(sources, "taskServer.ts")], {
        stdio: ["pipe", "pipe", "inherit"],
        env: { ...process.env, BENCH_FINISH_MS: String(finishMs) }
      })
      return new Promise<{ port: number; stop: () => void }>((resolve) =>
        server.stdout!.once("data", (d) => resolve({ port: Number(String(d)), stop: () => server.stdin!.end() }))
      )
    }),
    ({ stop }) => Effect.sync(stop)
  )
const layerAt = (port: number) =>
  KpsNode.layer({
    endpoint: `http://127.0.0.1:${port}`,
    projectId: "0123456789abcdef0123456789abcdef",
    credentials: Credentials.token("bench-token")
  })

/** Peak RSS while `effect` runs, sampled every 50 ms. */
const peakRss = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    let peak = process.memoryUsage().rss
    const sampler = setInterval(() => peak = Math.max(peak, process.memoryUsage().rss), 50)
    return Effect.map(Effect.ensuring(effect, Effect.sync(() => clearInterval(sampler))), (value) => ({ value, peak }))
  })

// 2a: many waits at once, each polled every 2 s for up to 20 s.
const real = Effect.scoped(Effect.gen(function*() {
  const { port } = yield* startServer(20_000)
  const ids = Array.from({ length: realWaits }, (_, i) => `real-${i}`)
  const pollsBefore = yield* pollCount
  gc()
  const rssBefore = process.memoryUsage().rss
  const cpu = process.cpuUsage()
  const started = performance.now()
  const { peak, value: outcomes } = yield* peakRss(
    Stream.runCollect(TaskWaiter.waitForTasks(ids, {
      policy: WaitPolicy.fixed("2 seconds"),
      concurrency: realWaits,
      rateLimit: { limit: 1_000, window: "1 second" }
    })).pipe(Effect.provide(layerAt(port)))
  )
  const elapsed = performance.now() - started
  const used = process.cpuUsage(cpu)
  const polls = (yield* pollCount) - pollsBefore
  return {
    ended: Chunk.size(outcomes),
    polls,
    cpuPerPoll: (used.user + used.system) / polls,
    pollsPerSecond: polls / (elapsed / 1000),
    seconds: elapsed / 1000,
    peakRss: peak,
    rssBefore
  }
}))

// 2b: what a poll of waitForTask costs over a bare getTask, same server, same width: 64 fibers
// each polling by hand (getTask, then a 1 ms pause), then 64 waits on the same 1 ms cadence.
const overhead = Effect.gen(function*() {
  const width = 64
  const rounds = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 3)
  const bare: Array<number> = []
  const waiting: Array<number> = []
  const measure = <E>(run: Effect.Effect<number, E, KpsClient.KpsClient>) =>
    Effect.gen(function*() {
      const cpu = process.cpuUsage()
      const requests = yield* run
      const used = process.cpuUsage(cpu)
      return (used.user + used.system) / requests
    })
  const getTasks = (round: number) =>
    Effect.map(
      Effect.forEach(
        Array.from({ length: width }, (_, i) => i),
        // The loop one writes by hand: a getTask, a 1 ms pause, 40 times.
        (i) =>
          Effect.repeat(
            KpsClient.getTask(`bare-${round}-${i}`),
            Schedule.addDelay(Schedule.recurs(39), () => "1 millis")
          ),
        { concurrency: width }
      ),
      () => width * 40
    )
  const waits = (round: number) =>
    Effect.gen(function*() {
      const before = yield* pollCount
      yield* Effect.forEach(
        Array.from({ length: width }, (_, i) => i),
        (i) => Effect.either(TaskWaiter.waitForTask(`wait-${round}-${i}`, { policy: WaitPolicy.fixed("1 millis") })),
        { concurrency: width }
      )
      return (yield* pollCount) - before
    })
  for (let round = 0; round < rounds; round++) {
    bare.push(yield* measure(getTasks(round)))
    waiting.push(yield* measure(waits(round)))
  }
  const median = (values: Array<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  return { bare: median(bare), waiting: median(waiting) }
}).pipe(Effect.provide(Layer.unwrapScoped(Effect.map(startServer(1_500), ({ port }) => layerAt(port)))))

// The sockets part runs in a process of its own (BENCH_PART=sockets): RSS is its figure, and
// memory the other parts took is not given back to the system.
if (process.env.BENCH_PART !== "sockets") {
  // First, on a heap the other parts have not grown.
  const below = await Effect.runPromise(floor)
  const stub = await Effect.runPromise(virtual)
  console.log(`Node ${process.version}${(globalThis as { gc?: unknown }).gc ? ", heap measured after gc" : ""}\n`)
  console.log(
    `${waits} concurrent waits on the KpsTesting stub, one fiber each, tasks ending within 10 min of virtual time:`
  )
  console.log(`  heap per waiting task (peak)   ${kib(stub.waiting.heap)}   (target < 5 KiB)`)
  console.log(`    a bare sleeping fiber        ${kib(stub.bare.heap)}   (the baseline, same run)`)
  console.log(`    the wait's own               ${kib(stub.waiting.heap - stub.bare.heap)}`)
  console.log(`  RSS per waiting task (peak)    ${kib(stub.waiting.rss)}   (bare fiber ${kib(stub.bare.rss)})`)
  console.log(
    `  CPU per poll                   ${stub.cpuPerPoll.toFixed(1)} µs   (${stub.polls} polls over ${
      stub.virtualMinutes.toFixed(1)
    } virtual min)`
  )
  const spread = await Effect.runPromise(many)
  console.log(
    `\nwaitForTasks over ${manyWaits} stub tasks at once (limit ${manyLimit.limit}/s), tasks ending within 2 min of virtual time:`
  )
  console.log(
    `  heap per waiting task (peak)   ${
      kib(spread.peak.heap)
    }   (target ≤ 1 KiB; ${spread.peak.waiting} waiting, all polled once)`
  )
  console.log(`  RSS per waiting task (peak)    ${kib(spread.peak.rss)}`)
  console.log(
    `  CPU per poll                   ${
      spread.cpuPerPoll.toFixed(1)
    } µs   (target ≤ 50 µs; ${spread.polls} polls over ${
      spread.virtualMinutes.toFixed(1)
    } virtual min, ${spread.ended} ended)`
  )
  console.log(
    `  under it, one call after another: an Effect.withSpan around nothing ${
      below.span.toFixed(1)
    } µs (a poll runs two),`
  )
  console.log(`    a getTask on the stub ${below.getTask.toFixed(1)} µs`)
  const cost = await Effect.runPromise(overhead)
  console.log(
    `\nwaitForTask against getTask polled by hand over real sockets, 64 at once, 1 ms cadence, median of rounds:`
  )
  console.log(`  a bare getTask (by hand)       ${cost.bare.toFixed(1)} µs CPU   (the baseline, same run)`)
  console.log(
    `  a poll of waitForTask          ${cost.waiting.toFixed(1)} µs CPU   (${
      (cost.waiting / cost.bare).toFixed(2)
    }×, target ≤ 1.2×)`
  )
} else {
  const sockets = await Effect.runPromise(real)
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
  console.log(`\nwaitForTasks over ${realWaits} tasks at once over real loopback sockets (KpsNode.layer, 2 s cadence):`)
  console.log(`  ended                          ${sockets.ended} of ${realWaits} in ${sockets.seconds.toFixed(1)} s`)
  console.log(
    `  peak RSS                       ${mib(sockets.peakRss)}   (target < 300 MB; ${mib(sockets.rssBefore)} before)`
  )
  console.log(
    `  CPU per poll                   ${sockets.cpuPerPoll.toFixed(1)} µs   (${sockets.polls} polls, ${
      sockets.pollsPerSecond.toFixed(0)
    }/s)`
  )
}

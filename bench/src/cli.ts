/**
 * CLI start benchmark: how long `kps-task` takes from process start to exit, against a bare Node
 * script doing the same request. Starts the emulator (`kps-task emulator`, in a child process, its
 * tasks running for an hour) and a task in it, then runs, interleaved, `rounds` times each: `node -e ''` (Node's own start), a bare
 * `fetch` script (one request to the same URL with the same headers, the JSON printed), and the
 * built `kps-task` executable run with node directly: `get <id> --json`, `--help`, `--version`.
 * Prints medians of wall time, each net of `node -e ''`, and the ratios to the bare fetch script
 * with their targets. Figures, not assertions.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const rounds = Number(process.env.BENCH_CLI_ROUNDS ?? 10)
const bin = fileURLToPath(new URL("../../packages/cli/bin/kps-task.js", import.meta.url))
if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`)

// The emulator's documented defaults (`kps-task emulator` prints them).
const projectId = "0123456789abcdef0123456789abcdef"
const token = "emulator-token"

// The emulator, its tasks running for an hour: every `get` sees the same task.
const emulatorProcess = spawn(process.execPath, [bin, "emulator", "--task-duration", "1h"], {
  stdio: ["ignore", "pipe", "inherit"]
})
const origin = await new Promise<string>((resolve, reject) => {
  let printed = ""
  emulatorProcess.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    printed += chunk
    const listening = /^listening on (\S+)$/m.exec(printed)
    if (listening !== null) resolve(listening[1])
  })
  emulatorProcess.on("close", (code) => reject(new Error(`the emulator exited ${code}:\n${printed}`)))
})
const started = await fetch(`${origin}/v3/${projectId}/keypairs/associate`, {
  method: "POST",
  headers: { "Content-Type": "application/json", "X-Auth-Token": token },
  body: JSON.stringify({ keypair_name: "bench-keypair", server: { id: "bench-server" } })
})
const task = await started.json() as { readonly task_id: string }
if (typeof task.task_id !== "string") throw new Error(`the emulator answered ${JSON.stringify(task)}`)
const taskId = task.task_id
const url = `${origin}/v3/${projectId}/tasks/${taskId}`

// The same headers as `kps-task get` sends with a token.
const bareFetch = `
const response = await fetch(process.argv[2], {
  headers: {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "User-Agent": "effect-kps/0.1.0",
    "X-Project-Id": process.argv[3],
    "X-Auth-Token": process.env.KPS_TOKEN
  }
})
console.log(JSON.stringify(await response.json()))
`
const dir = mkdtempSync(join(tmpdir(), "kps-bench-cli-"))
const bareFetchFile = join(dir, "bare-fetch.mjs")
writeFileSync(bareFetchFile, bareFetch)

// No colours, no credentials of the machine's but the token.
const env = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: "1", KPS_TOKEN: token }).filter(([name]) =>
    !/^(HUAWEICLOUD_|CLOUD_SDK_|HTTPS?_PROXY$|https?_proxy$|NODE_OPTIONS$)/.test(name)
  )
)

interface Case {
  readonly name: string
  readonly args: ReadonlyArray<string>
  /** What its standard output must contain: a run that printed something else is not measured. */
  readonly expect: string
}

const cases: ReadonlyArray<Case> = [
  { name: "node -e ''", args: ["-e", ""], expect: "" },
  { name: "bare fetch script", args: [bareFetchFile, url, projectId], expect: taskId },
  {
    name: "kps-task get",
    args: [bin, "get", taskId, "--json", "--endpoint", origin, "--project-id", projectId],
    expect: taskId
  },
  { name: "kps-task --help", args: [bin, "--help"], expect: "USAGE" },
  { name: "kps-task --version", args: [bin, "--version"], expect: "0.1.0" }
]

/** Runs node with these arguments to its end: its wall time in milliseconds. */
const time = (item: Case): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, item.args, { env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      const elapsed = performance.now() - started
      if (code !== 0 || !stdout.includes(item.expect)) {
        reject(new Error(`${item.name} exited ${code}:\n${stdout}\n${stderr}`))
      } else {
        resolve(elapsed)
      }
    })
  })

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

try {
  // One warm-up round (disk cache), not counted.
  for (const item of cases) await time(item)
  const times = cases.map(() => [] as Array<number>)
  for (let round = 0; round < rounds; round++) {
    // Interleaved: each round runs every case once, in an order that turns with the round.
    for (let i = 0; i < cases.length; i++) {
      const index = (i + round) % cases.length
      times[index].push(await time(cases[index]))
    }
  }
  const medians = times.map(median)
  const base = medians[0]
  const net = medians.map((value) => value - base)
  const fetchNet = net[1]
  const targets: ReadonlyArray<number | undefined> = [undefined, undefined, 1.0, 0.6, 0.6]
  console.log(`Node ${process.version}; median wall time of ${rounds} interleaved rounds; net of node -e ''\n`)
  console.log(`${"".padEnd(22)}${"median".padStart(10)}${"net".padStart(10)}${"× bare fetch".padStart(14)}  target`)
  cases.forEach((item, i) => {
    const ratio = i < 2 ? "" : `${(net[i] / fetchNet).toFixed(2)}×`
    const target = targets[i] === undefined
      ? ""
      : `≤ ${targets[i]!.toFixed(1)}×${net[i] / fetchNet <= targets[i]! ? " ✔" : " ✘"}`
    console.log(
      `${item.name.padEnd(22)}${`${medians[i].toFixed(0)} ms`.padStart(10)}${
        i === 0 ? "" : `${net[i].toFixed(0)} ms`.padStart(10)
      }${ratio.padStart(i === 0 ? 24 : 14)}  ${target}`
    )
  })
} finally {
  rmSync(dir, { recursive: true, force: true })
  emulatorProcess.kill("SIGTERM")
}

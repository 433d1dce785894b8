/**
 * Browser bundle size: one task query through @effect-kps/browser, against a hand-written minimal
 * Effect program doing the same GET (FetchHttpClient) with the same headers and decoding the same
 * three fields (Schema). Each is bundled by esbuild for the browser (ESM, minified, tree-shaken)
 * and gzipped, in the same run. The target: the query through the package entry points, as the
 * README writes it, at most 1.0× the minimal program, gzipped. Figures, not assertions.
 */
import * as esbuild from "esbuild"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const repoDir = resolve(benchDir, "..")
/** The most the query through the package entry points may weigh, gzipped, as a multiple of the minimal program. */
const target = 1.0

const endpoint = "https://kms.cn-north-4.myhuaweicloud.com"
const projectId = "0123456789abcdef0123456789abcdef"
const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"

const query = (imports: string) => `
${imports}
import * as Effect from "effect/Effect"

const KpsLive = KpsBrowser.layer({
  endpoint: "${endpoint}",
  projectId: "${projectId}",
  credentials: Credentials.token("token")
})

Effect.runPromise(KpsClient.getTask("${taskId}").pipe(Effect.provide(KpsLive))).then(
  (task) => console.log(task.taskId, task.taskStatus, task.serverId)
)
`

const programs = {
  // As the README writes it.
  "@effect-kps/browser": query(`
import { Credentials, KpsClient } from "@effect-kps/core"
import { KpsBrowser } from "@effect-kps/browser"
`),
  "  (deep imports)": query(`
import * as Credentials from "@effect-kps/core/Credentials"
import * as KpsClient from "@effect-kps/core/KpsClient"
import * as KpsBrowser from "@effect-kps/browser/KpsBrowser"
`),
  "minimal Effect program": `
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const Task = Schema.Struct({
  taskId: Schema.propertySignature(Schema.optional(Schema.String)).pipe(Schema.fromKey("task_id")),
  taskStatus: Schema.propertySignature(Schema.optional(Schema.String)).pipe(Schema.fromKey("task_status")),
  serverId: Schema.propertySignature(Schema.optional(Schema.String)).pipe(Schema.fromKey("server_id"))
})

const program = Effect.gen(function*() {
  const client = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)
  const request = HttpClientRequest.get("${endpoint}/v3/${projectId}/tasks/${taskId}").pipe(
    HttpClientRequest.setHeaders({ "Content-Type": "application/json", "X-Auth-Token": "token", "X-Project-Id": "${projectId}" })
  )
  return yield* Effect.flatMap(client.execute(request), HttpClientResponse.schemaBodyJson(Task))
})

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(
  (task) => console.log(task.taskId, task.taskStatus, task.serverId)
)
`,
  // For reference, what any Effect program over the platform's HttpClient starts from: the minimal
  // program without its request and decoding...
  "  (FetchHttpClient alone)": `
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"

Effect.runPromise(Effect.map(HttpClient.HttpClient, HttpClient.filterStatusOk).pipe(Effect.provide(FetchHttpClient.layer)))
  .then((client) => console.log(typeof client.execute))
`,
  // ...and Effect's runtime alone.
  "  (Effect.runPromise alone)": `
import * as Effect from "effect/Effect"

Effect.runPromise(Effect.succeed("done")).then((done) => console.log(done))
`
} as const

type Name = keyof typeof programs

interface Measured {
  readonly minified: number
  readonly gzipped: number
  /** Minified bytes in the output per input module, path relative to the repository. */
  readonly modules: ReadonlyMap<string, number>
}

const workDir = mkdtempSync(join(tmpdir(), "effect-kps-size-"))

const measure = async (name: Name, index: number): Promise<Measured> => {
  const entry = join(workDir, `program${index}.ts`)
  writeFileSync(entry, programs[name])
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    treeShaking: true,
    platform: "browser",
    // The workspace packages' sources, as the tests use them.
    conditions: ["source"],
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    outfile: join(workDir, `program${index}.js`),
    // The entries live outside the workspace: resolve packages as bench does.
    nodePaths: [join(benchDir, "node_modules")],
    logLevel: "error"
  })
  const code = result.outputFiles[0].contents
  const [output] = Object.values(result.metafile.outputs)
  const modules = new Map<string, number>()
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const fromRepo = relative(repoDir, resolve(process.cwd(), path))
    if (bytesInOutput > 0) modules.set(fromRepo.startsWith("..") ? "(the entry program)" : fromRepo, bytesInOutput)
  }
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length, modules }
}

/** `effect`, `@effect/platform`, `@effect-kps/core`, …: the package a module belongs to. */
const packageOf = (path: string) => {
  const inPnpmStore = path.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//)
  if (inPnpmStore) return inPnpmStore[1]
  const inWorkspace = path.match(/^packages\/([^/]+)\//)
  return inWorkspace ? `@effect-kps/${inWorkspace[1]}` : path
}

const byPackage = (modules: ReadonlyMap<string, number>) => {
  const totals = new Map<string, number>()
  for (const [path, bytes] of modules) totals.set(packageOf(path), (totals.get(packageOf(path)) ?? 0) + bytes)
  return [...totals].sort((a, b) => b[1] - a[1])
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const shortPath = (path: string) => path.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")

try {
  const ours = await measure("@effect-kps/browser", 0)
  const oursDeep = await measure("  (deep imports)", 1)
  const minimal = await measure("minimal Effect program", 2)
  const fetchAlone = await measure("  (FetchHttpClient alone)", 3)
  const runtimeAlone = await measure("  (Effect.runPromise alone)", 4)
  const limit = minimal.gzipped * target
  const verdict = (figures: Measured) =>
    figures.gzipped <= limit ? "met" : `NOT met (${kb(figures.gzipped - limit)} over)`
  const rows = [
    ["@effect-kps/browser", ours, `target ≤ ${target.toFixed(1)}×: ${verdict(ours)}`],
    ["  (deep imports)", oursDeep, "for information"],
    ["minimal Effect program", minimal, "the baseline"],
    ["  (FetchHttpClient alone)", fetchAlone, "for reference: nothing sent"],
    ["  (Effect.runPromise alone)", runtimeAlone, "for reference"]
  ] as const

  console.log(`esbuild ${esbuild.version}: platform browser, ESM, minified, tree-shaken; gzip level 9\n`)
  console.log(
    `${"program".padEnd(28)}${"minified".padStart(10)}${"ratio".padStart(8)}${"gzipped".padStart(10)}${
      "ratio".padStart(8)
    }`
  )
  for (const [name, figures, note] of rows) {
    console.log(
      `${name.padEnd(28)}${kb(figures.minified).padStart(10)}${
        `${(figures.minified / minimal.minified).toFixed(3)}×`.padStart(8)
      }${kb(figures.gzipped).padStart(10)}${`${(figures.gzipped / minimal.gzipped).toFixed(3)}×`.padStart(8)}  ${note}`
    )
  }
  console.log(
    `\ntarget: one task query through the package entry points (@effect-kps/core, @effect-kps/browser) ` +
      `≤ ${target.toFixed(1)}× the minimal program, gzipped ≤ ${kb(limit)}: ${verdict(ours)}`
  )
  console.log(
    "  (esbuild keeps every member of a namespace re-exported by a barrel, `export * as X`, so the\n" +
      "  package entry points carry all of Credentials, KpsClient and KpsBrowser; deep imports carry\n" +
      "  only what the program uses)"
  )
  console.log(
    `  (the minimal program's request and decoding add ${kb(minimal.gzipped - fetchAlone.gzipped)} gzipped to\n` +
      "  FetchHttpClient alone: all the room the target leaves for what a client adds over the\n" +
      "  platform's HttpClient, whose modules bring Stream and Schema into any program using it)"
  )

  console.log("\nminified bytes by package (@effect-kps/browser | minimal):")
  const minimalPackages = new Map(byPackage(minimal.modules))
  for (const [name, bytes] of byPackage(ours.modules)) {
    console.log(`  ${name.padEnd(28)}${kb(bytes).padStart(10)}${kb(minimalPackages.get(name) ?? 0).padStart(10)}`)
  }

  // Where the difference comes from: modules ours carries beyond the minimal program.
  const extra = [...ours.modules]
    .map(([path, bytes]) => [path, bytes - (minimal.modules.get(path) ?? 0)] as const)
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1])
  const extraTotal = extra.reduce((sum, [, bytes]) => sum + bytes, 0)
  console.log(
    `\nmodules @effect-kps/browser adds over the minimal program (${kb(extraTotal)} minified), largest first:`
  )
  for (const [path, bytes] of extra.slice(0, 30)) {
    const deepBytes = oursDeep.modules.get(path) ?? 0
    const note = deepBytes < (minimal.modules.get(path) ?? 0) + bytes ? `  (deep imports: ${kb(deepBytes)})` : ""
    console.log(`  ${kb(bytes).padStart(9)}  ${shortPath(path)}${note}`)
  }
} finally {
  rmSync(workDir, { recursive: true, force: true })
}

// @ts-check
// Builds the `kps-task` executable, bin/kps-task.js's target: one ESM file, tree-shaken, bundled
// by esbuild straight from the TypeScript sources (the workspace packages' too, through their
// `source` export condition), no type declarations needed. What only some commands need (the
// emulator and its HTTP server, the demo, the undici transport, ...) is split into chunks loaded by
// dynamic import() when a command asks for it.
//
//   node scripts/bundle.mjs      from packages/cli, or from anywhere with its path
//
// First it renders what `--version` and `--help` print (src/internal/quickRender.ts, bundled and
// run), so that the executable prints them without loading Effect (src/internal/launch.ts).
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import process from "node:process"
import { fileURLToPath } from "node:url"

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const outdir = join(packageDir, "dist/bundle")

/** What every build shares: Node 20, ESM, the sources, CommonJS dependencies given a `require`. */
const common = /** @type {const} */ ({
  absWorkingDir: packageDir,
  bundle: true,
  platform: "node",
  target: "node20.18",
  format: "esm",
  conditions: ["source"],
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __kpsCreateRequire } from \"node:module\";" +
      "const require = __kpsCreateRequire(import.meta.url);"
  }
})

const started = performance.now()

// 1. What `--version` and `--help` print, rendered by the program itself.
const scratch = mkdtempSync(join(tmpdir(), "kps-task-bundle-"))
let texts
try {
  const renderer = join(scratch, "render.mjs")
  await build({
    ...common,
    stdin: {
      contents: [
        "import * as NodeContext from \"@effect/platform-node/NodeContext\"",
        "import * as Effect from \"effect/Effect\"",
        "import * as QuickRender from \"./src/internal/quickRender.ts\"",
        "const texts = await Effect.runPromise(QuickRender.render.pipe(Effect.provide(NodeContext.layer)))",
        "process.stdout.write(JSON.stringify(texts))"
      ].join("\n"),
      resolveDir: packageDir,
      sourcefile: "render.ts",
      loader: "ts"
    },
    outfile: renderer
  })
  texts = JSON.parse(execFileSync(process.execPath, [renderer], { encoding: "utf8" }))
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

// 2. The executable, those texts in it.
rmSync(outdir, { recursive: true, force: true })
const result = await build({
  ...common,
  entryPoints: { "kps-task": "src/internal/launch.ts" },
  outdir,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  define: { KPS_TASK_QUICK: JSON.stringify(texts) },
  // A native module (the SQLite of --store): loaded from node_modules, where its build put it.
  external: ["better-sqlite3"],
  metafile: true
})

const files = Object.keys(result.metafile.outputs)
process.stdout.write(
  `kps-task: bundled into ${relative(process.cwd(), outdir) || "."} (${files.length} files) in ${
    Math.round(performance.now() - started)
  } ms\n`
)

// `--analyze`: what each output holds, by package, largest first.
if (process.argv.includes("--analyze")) {
  writeFileSync(join(packageDir, "dist/bundle-meta.json"), JSON.stringify(result.metafile))
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    /** @type {Map<string, number>} */
    const sizes = new Map()
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const owner = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(input)?.[1] ??
        /(packages\/[^/]+|^src)/.exec(input)?.[1] ?? input
      sizes.set(owner, (sizes.get(owner) ?? 0) + bytesInOutput)
    }
    const top = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 12)
    process.stdout.write(
      `${file} ${Math.round(output.bytes / 1024)} KiB: ${
        top.map(([owner, bytes]) => `${owner} ${Math.round(bytes / 1024)}`).join(", ")
      }\n`
    )
  }
}

/**
 * Runs one benchmark as users run the packages: compiled, not through a TypeScript loader. The
 * benchmark and the workspace packages it imports are bundled from their sources by esbuild (the
 * `source` export condition) with their dependencies, into one file that runs in a fresh Node
 * process with the flags given.
 *
 *   node run.mjs src/waiter.ts --expose-gc
 */
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import process from "node:process"
import { fileURLToPath } from "node:url"

const [entry, ...flags] = process.argv.slice(2)
const here = dirname(fileURLToPath(import.meta.url))
const outfile = join(here, "build", "run", basename(entry).replace(/\.ts$/, ".mjs"))
mkdirSync(dirname(outfile), { recursive: true })
await esbuild.build({
  entryPoints: [join(here, entry)],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["source"],
  // CommonJS dependencies (undici) require Node's modules.
  banner: { js: "import { createRequire } from \"node:module\"; const require = createRequire(import.meta.url);" },
  // A native module (SQLite, for the durable waits): loaded from node_modules, where its build put it.
  external: ["better-sqlite3"],
  logLevel: "error"
})
const { status } = spawnSync(process.execPath, [...flags, outfile], {
  stdio: "inherit",
  env: { ...process.env, BENCH_SOURCES: join(here, "src") }
})
process.exit(status ?? 1)

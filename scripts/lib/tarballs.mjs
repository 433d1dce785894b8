// @ts-check
// Packing the publishable packages with pnpm, and checking the tarballs before anyone installs them.
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import process from "node:process"
import { stubPaths } from "./esmOnly.mjs"
import { onStop, publicPackages, root, runOk } from "./workspace.mjs"

/**
 * @typedef {object} Tarball
 * @property {string} name the package's name
 * @property {string} version its version
 * @property {string} file absolute path of the .tgz
 */

/** Where the tools live: the workspace root's devDependencies. */
const bin = (/** @type {string} */ tool) => join(root, "node_modules", ".bin", tool)

/**
 * Builds every package (one turbo run), then packs each with `pnpm pack`, which runs its prepack
 * (a cached build, the LICENSE) and writes `publishConfig` and real versions into the tarball.
 * @param {string} destination an existing directory for the .tgz files
 * @returns {Promise<ReadonlyArray<Tarball>>}
 */
export const packAll = async (destination) => {
  await runOk(bin("turbo"), ["run", "build", "--output-logs=errors-only"], {
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
    timeoutMs: 900_000,
    echo: true
  })
  const tarballs = []
  for (const { dir, manifest } of publicPackages()) {
    await runOk("pnpm", ["pack", "--pack-destination", destination], { cwd: dir, timeoutMs: 300_000 })
    const file = join(destination, `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`)
    if (!existsSync(file)) throw new Error(`pnpm pack left no ${file}`)
    tarballs.push({ name: manifest.name, version: manifest.version, file })
  }
  return tarballs
}

/**
 * The package.json and file list inside a tarball.
 * @param {string} file
 * @returns {Promise<{ readonly manifest: Record<string, unknown>, readonly files: ReadonlyArray<string> }>}
 */
const contents = async (file) => {
  const listing = await runOk("tar", ["-tzf", file], { timeoutMs: 60_000 })
  const manifest = await runOk("tar", ["-xzOf", file, "package/package.json"], { timeoutMs: 60_000 })
  return {
    manifest: JSON.parse(manifest.stdout),
    files: listing.stdout.split("\n").filter((line) => line !== "").map((line) => line.replace(/^package\//, ""))
  }
}

/**
 * The strings in a JSON value: the file paths of an `exports` map.
 * @param {unknown} value
 * @returns {ReadonlyArray<string>}
 */
const leaves = (value) =>
  typeof value === "string"
    ? [value]
    : typeof value === "object" && value !== null
    ? Object.values(value).flatMap(leaves)
    : []

/**
 * What pnpm must have done to a tarball, and what must be in it: no `workspace:` range, no
 * `source` condition (whose files would be the TypeScript sources), the LICENSE, the README, and
 * every file `exports` and `bin` name.
 * @param {Tarball} tarball
 * @returns {Promise<ReadonlyArray<string>>} the problems found
 */
const shapeProblems = async (tarball) => {
  const { manifest, files } = await contents(tarball.file)
  const text = JSON.stringify(manifest)
  const problems = []
  if (text.includes("workspace:")) problems.push("a workspace: range was not replaced")
  if (text.includes("\"source\"")) problems.push("the source condition is still in exports")
  if (manifest.publishConfig !== undefined && "exports" in /** @type {object} */ (manifest.publishConfig)) {
    problems.push("publishConfig.exports was not applied")
  }
  const named = [
    "LICENSE",
    "README.md",
    stubPaths.js,
    stubPaths.types,
    ...leaves(manifest.exports),
    ...Object.values(/** @type {Record<string, string>} */ (manifest.bin ?? {}))
  ].map((path) => path.replace(/^\.\//, ""))
  for (const path of new Set(named)) {
    if (!files.includes(path)) problems.push(`${path} is missing`)
  }
  return problems
}

/**
 * Lints every tarball: its shape (above), publint (warnings count), and Are The Types Wrong with
 * the ESM-only profile (CommonJS resolution is the stub's business). Throws with every problem.
 * @param {ReadonlyArray<Tarball>} tarballs
 */
export const lintAll = async (tarballs) => {
  const reports = await Promise.all(tarballs.map(async (tarball) => {
    const problems = [...await shapeProblems(tarball)]
    for (
      const [tool, args] of /** @type {const} */ ([
        ["publint", ["run", tarball.file, "--strict"]],
        ["attw", [tarball.file, "--profile", "esm-only", "--format", "ascii", "--no-emoji", "--no-color"]]
      ])
    ) {
      try {
        await runOk(bin(tool), args, { timeoutMs: 180_000 })
      } catch (error) {
        problems.push(`${tool}: ${/** @type {Error} */ (error).message}`)
      }
    }
    return { tarball, problems }
  }))
  for (const { problems, tarball } of reports) {
    process.stdout.write(
      `${tarball.name}@${tarball.version}: ${
        problems.length === 0 ? "publint, attw (esm-only) and contents ok" : "PROBLEMS"
      }\n`
    )
    for (const problem of problems) process.stdout.write(`  - ${problem}\n`)
  }
  if (reports.some(({ problems }) => problems.length > 0)) throw new Error("the tarballs have problems (above)")
}

/**
 * A fresh temporary directory, outside the workspace, removed by the returned function (or when
 * this process is stopped).
 * @param {string} prefix
 * @returns {{ readonly path: string, readonly remove: () => void }}
 */
export const temporaryDirectory = (prefix) => {
  const path = mkdtempSync(join(tmpdir(), prefix))
  if (path.startsWith(root)) throw new Error(`${path} is inside the workspace: set TMPDIR elsewhere`)
  const remove = () => rmSync(path, { recursive: true, force: true })
  onStop(remove)
  return { path, remove }
}

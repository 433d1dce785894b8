// @ts-check
// `pnpm version-packages`: `changeset version` (versions and changelogs from the pending
// changesets), then the version constants the code reports (the User-Agent's effect-kps/<version>,
// `kps-task --version`) follow their package.json, as packages/core/test/version.test.ts requires.
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import process from "node:process"
import { root, runOk } from "./lib/workspace.mjs"

await runOk("pnpm", ["exec", "changeset", "version"], { timeoutMs: 300_000, echo: true })

for (const dir of ["core", "cli"]) {
  const { version } = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"))
  const file = join(root, "packages", dir, "src/internal/version.ts")
  const before = readFileSync(file, "utf8")
  const pattern = /^export const version = "[^"]*"$/m
  if (!pattern.test(before)) throw new Error(`${file} has no line export const version = "…"`)
  writeFileSync(file, before.replace(pattern, `export const version = ${JSON.stringify(version)}`))
  process.stdout.write(`${file}: ${version}\n`)
}

// @ts-check
// `pnpm release [--dry-run] [--pack-destination DIR]`: publishes every package whose version is
// not on the registry yet, as the tarballs pnpm packs.
//
//   1. builds everything, then packs each package with `pnpm pack` (see lib/tarballs.mjs);
//   2. checks the tarballs: contents, publint, Are The Types Wrong (ESM-only profile);
//   3. asks the registry which versions it has, and publishes the others' tarballs with
//      `pnpm publish <tarball>` (with --dry-run: shows what would be published, needs no login);
//   4. after a real publish, tags the commit (`changeset tag`: one tag per package version).
//
// Versions and changelogs come first, from the changesets: `pnpm changeset`, then
// `pnpm version-packages`, commit, `pnpm release`. See .changeset/README.md.
import { mkdirSync } from "node:fs"
import { resolve } from "node:path"
import process from "node:process"
import { parseArgs } from "node:util"
import { lintAll, packAll, temporaryDirectory } from "./lib/tarballs.mjs"
import { publicPackages, root, run, runOk } from "./lib/workspace.mjs"

const { values } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    "pack-destination": { type: "string" }
  }
})
const dryRun = values["dry-run"] === true

/**
 * Whether the registry already has this version (npm view answers E404 for a package or version
 * it does not know: then no).
 * @param {string} name
 * @param {string} version
 */
const published = async (name, version) => {
  const result = await run("npm", ["view", `${name}@${version}`, "version", "--json"], { timeoutMs: 120_000 })
  if (result.code === 0) return result.stdout.trim() !== ""
  if (/E404/.test(result.stderr)) return false
  throw new Error(`npm view ${name}@${version} failed:\n${result.stderr}`)
}

/**
 * The tarballs ordered so that each comes after the workspace packages it depends on.
 * @param {ReadonlyArray<import("./lib/tarballs.mjs").Tarball>} tarballs
 */
const dependenciesFirst = (tarballs) => {
  const manifests = new Map(publicPackages().map(({ manifest }) => [manifest.name, manifest]))
  /** @type {Array<import("./lib/tarballs.mjs").Tarball>} */
  const ordered = []
  const visit = (/** @type {import("./lib/tarballs.mjs").Tarball} */ tarball) => {
    if (ordered.includes(tarball)) return
    for (const dependency of Object.keys(manifests.get(tarball.name)?.dependencies ?? {})) {
      const inner = tarballs.find(({ name }) => name === dependency)
      if (inner !== undefined) visit(inner)
    }
    ordered.push(tarball)
  }
  tarballs.forEach(visit)
  return ordered
}

const temporary = values["pack-destination"] === undefined ? temporaryDirectory("effect-kps-release-") : undefined
const destination = temporary?.path ?? resolve(/** @type {string} */ (values["pack-destination"]))
mkdirSync(destination, { recursive: true })

try {
  if (!dryRun) {
    // What is published is what is committed: the tags changeset adds name this commit.
    const status = await runOk("git", ["status", "--porcelain"], { timeoutMs: 60_000 })
    if (status.stdout.trim() !== "") {
      throw new Error(`the working tree has changes; commit them (or run with --dry-run):\n${status.stdout}`)
    }
  }
  const tarballs = await packAll(destination)
  await lintAll(tarballs)
  const publishedAlready = await Promise.all(tarballs.map((tarball) => published(tarball.name, tarball.version)))
  const toPublish = dependenciesFirst(tarballs.filter((tarball, i) => {
    if (publishedAlready[i]) {
      process.stdout.write(`${tarball.name}@${tarball.version} is on the registry already: skipped\n`)
    }
    return !publishedAlready[i]
  }))
  process.stdout.write(`order: ${toPublish.map(({ name }) => name).join(", ") || "(nothing)"}\n`)
  const publish = async (/** @type {import("./lib/tarballs.mjs").Tarball} */ tarball) => {
    const args = ["publish", tarball.file, "--access", "public", "--no-git-checks"]
    // A prerelease (0.2.0-next.1) must not become `latest`.
    if (tarball.version.includes("-")) args.push("--tag", "next")
    if (dryRun) args.push("--dry-run")
    await runOk("pnpm", args, { cwd: root, timeoutMs: 300_000 })
    process.stdout.write(`${dryRun ? "would publish" : "published"} ${tarball.name}@${tarball.version}\n`)
  }
  if (dryRun) {
    await Promise.all(toPublish.map(publish))
  } else {
    // One at a time, each package after those it depends on: never a version on the registry
    // whose dependencies are not there yet.
    for (const tarball of toPublish) await publish(tarball)
  }
  const count = toPublish.length
  if (dryRun) {
    process.stdout.write(`dry run: ${count} package(s) would be published; nothing was\n`)
  } else if (count > 0) {
    await runOk("pnpm", ["exec", "changeset", "tag"], { timeoutMs: 120_000, echo: true })
    process.stdout.write(`published ${count} package(s); push the tags: git push --follow-tags\n`)
  } else {
    process.stdout.write("nothing to publish: every version is on the registry\n")
  }
} finally {
  temporary?.remove()
}

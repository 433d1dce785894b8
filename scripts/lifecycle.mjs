// @ts-check
// The publishable packages' `prepack` and `prepublishOnly` scripts, run in the package's directory:
//
//   node ../../scripts/lifecycle.mjs prepack         refuse unless run by pnpm, build, add LICENSE
//   node ../../scripts/lifecycle.mjs prepublishOnly  refuse unless run by pnpm
//
// Only pnpm may pack or publish them: pnpm replaces `workspace:^` ranges with real versions and
// `exports` with `publishConfig.exports` (which has no `source` condition); npm would ship both
// as they are, and the package would not install.
import { copyFileSync, existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import process from "node:process"
import { stubPaths } from "./lib/esmOnly.mjs"
import { root, runOk } from "./lib/workspace.mjs"

const step = process.argv[2]
const { name } = JSON.parse(readFileSync("package.json", "utf8"))
const userAgent = process.env.npm_config_user_agent ?? ""

if (!userAgent.startsWith("pnpm/")) {
  const tool = userAgent.split(" ")[0] || "a tool other than pnpm"
  process.stderr.write(
    `\n${name}: refusing to ${step === "prepack" ? "pack" : "publish"} with ${tool}.\n` +
      `Pack and publish effect-kps packages with pnpm only: \`pnpm release\` from the repository root\n` +
      `(or \`pnpm pack\` / \`pnpm publish\` here). npm would ship the \`workspace:^\` dependency ranges and\n` +
      `the development \`exports\` as they are, and the package would not install.\n\n`
  )
  process.exit(1)
}

if (step === "prepack") {
  // The package and the workspace packages it depends on, through turbo's cache.
  await runOk("turbo", ["run", "build", `--filter=${name}`, "--output-logs=errors-only"], {
    cwd: root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
    timeoutMs: 600_000,
    echo: true
  })
  for (const file of ["dist/index.js", "dist/index.d.ts", stubPaths.js, stubPaths.types]) {
    if (!existsSync(file)) {
      process.stderr.write(`${name}: the build left no ${file}; refusing to pack a package without it.\n`)
      process.exit(1)
    }
  }
  // One LICENSE, the repository's, in every tarball.
  copyFileSync(join(root, "LICENSE"), "LICENSE")
} else if (step !== "prepublishOnly") {
  process.stderr.write(`lifecycle.mjs: unknown step ${JSON.stringify(step)} (prepack or prepublishOnly)\n`)
  process.exit(2)
}

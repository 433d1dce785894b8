// @ts-check
// `pnpm pack-check`: what a stranger gets from the registry, before it goes there.
//
//   1. `pnpm release --dry-run`: builds, packs every package with pnpm, checks the tarballs
//      (contents, publint, Are The Types Wrong with the ESM-only profile) and dry-runs publishing
//      each; its output must name every package.
//   2. A fresh npm project outside the workspace installs the tarballs and what the packages'
//      READMEs tell users to install (`npm i` lines, @effect-kps/* swapped for the tarballs) from
//      the registry, then: type-checks a program, the READMEs' examples and an import of every
//      exported module with `moduleResolution` NodeNext and with Bundler (its own TypeScript);
//      checks that a .cts file importing a package fails to compile; runs the program, which starts
//      the emulator on 127.0.0.1, associates a key pair through it and waits for the task; imports
//      every exported module and checks that require() of each says the package is ESM-only.
//   3. Another fresh project installs the CLI with peers not auto-installed (--legacy-peer-deps):
//      every peer its dependencies ask for is one it carries, `npx kps-task --help` and
//      `npx kps-task demo` work on the CLI's own dependencies, and a
//      bundler keeps the program its bin imports (the CLI's `sideEffects`).
//
// Everything it starts is bounded in time and stopped; the temporary directories are removed.
import * as esbuild from "esbuild"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { delimiter, join } from "node:path"
import process from "node:process"
import { temporaryDirectory } from "./lib/tarballs.mjs"
import { publicPackages, root, run, runOk } from "./lib/workspace.mjs"

const started = Date.now()
const packages = publicPackages()
const log = (/** @type {string} */ line) =>
  process.stdout.write(`[pack-check ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`)

/**
 * Fails with `message` unless `condition` holds.
 * @param {boolean} condition
 * @param {string} message
 * @returns {asserts condition}
 */
function check(condition, message) {
  if (!condition) throw new Error(message)
}

// The consumers' commands see neither pnpm's npm_* variables nor the workspace's node_modules/.bin:
// `npx kps-task` must find the consumer's own kps-task or nothing.
const consumerEnv = Object.fromEntries(
  Object.entries({
    ...process.env,
    PATH: (process.env.PATH ?? "").split(delimiter).filter((entry) => !entry.startsWith(root)).join(delimiter),
    NO_COLOR: "1"
  }).filter(([key]) => !/^npm_/i.test(key) && !key.startsWith("PNPM_"))
)

/**
 * Runs a command in a consumer project, failing unless it exits 0.
 * @param {string} cwd
 * @param {string} command
 * @param {ReadonlyArray<string>} args
 * @param {number} [timeoutMs]
 */
const inConsumer = (cwd, command, args, timeoutMs = 300_000) =>
  runOk(command, args, { cwd, env: consumerEnv, timeoutMs })

/** @param {string} name */
const tarballName = (name) => name.replace(/^@/, "").replace("/", "-")

const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))

/**
 * The `npm i` lines of a package's README, by whether they install dev dependencies; `-g` lines
 * (the CLI's) are for step 3.
 * @param {string} dir
 */
const readmeInstalls = (dir) => {
  const lines = readFileSync(join(dir, "README.md"), "utf8").split("\n").filter((line) => line.startsWith("npm i "))
  return lines.map((line) => line.split(/\s+/).slice(2)).filter((args) => !args.includes("-g")).map((args) => ({
    dev: args.includes("-D"),
    specs: args.filter((arg) => !arg.startsWith("-"))
  }))
}

/**
 * `name@range` → [name, range]; a bare name (one of ours) → [name, ""].
 * @param {string} spec
 * @returns {[string, string]}
 */
const splitSpec = (spec) => {
  const at = spec.lastIndexOf("@")
  return at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, ""]
}

/** The ```ts blocks of a README. @param {string} file */
const tsBlocks = (file) => {
  const blocks = []
  const lines = readFileSync(file, "utf8").split("\n")
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue
    let end = i + 1
    while (end < lines.length && lines[end].trim() !== "```") end++
    blocks.push({ line: i + 2, code: lines.slice(i + 1, end).join("\n") })
    i = end
  }
  return blocks
}

/**
 * Every subpath a package exports, as an import specifier.
 * @param {import("./lib/workspace.mjs").Manifest} manifest
 */
const specifiersOf = (manifest) =>
  Object.keys(manifest.exports ?? {}).map((subpath) =>
    subpath === "." ? manifest.name : `${manifest.name}${subpath.slice(1)}`
  )

/**
 * A module that imports every specifier and checks, for each, that require() says the package is
 * ESM-only; and that package.json, index and internal modules are not reachable.
 * @param {ReadonlyArray<import("./lib/workspace.mjs").Package>} from
 */
const runtimeCheck = (from) =>
  `import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
const packages = ${
    JSON.stringify(from.map(({ manifest }) => ({ name: manifest.name, specifiers: specifiersOf(manifest) })))
  }
const problems = []
let imported = 0
for (const { name, specifiers } of packages) {
  for (const specifier of specifiers) {
    const module = await import(specifier)
    if (Object.keys(module).length === 0) problems.push(specifier + " exports nothing")
    imported++
    try {
      require(specifier)
      problems.push("require(" + specifier + ") did not throw")
    } catch (error) {
      if (error.code !== "ERR_REQUIRE_ESM" || !error.message.startsWith(name + " is ESM-only")) {
        problems.push("require(" + specifier + ") threw " + error.code + ": " + error.message)
      }
    }
  }
  for (const hidden of ["package.json", "index", "internal/version"]) {
    try {
      await import(name + "/" + hidden)
      problems.push(name + "/" + hidden + " is importable")
    } catch (error) {
      if (error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") problems.push(name + "/" + hidden + ": " + error.code)
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\\n"))
  process.exit(1)
}
console.log("imported " + imported + " modules; require() of each says ESM-only; package.json, index and internal hidden")
`

// The program the consumer runs: the emulator in-process on 127.0.0.1, a Node client pointed at
// it, a key pair associated with a server, and the wait until the task ends (the emulator's tasks
// take 1 second; the deadline bounds the wait).
const program = `import { Credentials, KpsClient } from "@effect-kps/core"
import { KpsEmulator } from "@effect-kps/emulator"
import { KpsNode } from "@effect-kps/node"
import { TaskWaiter, WaitPolicy } from "@effect-kps/polling"
import { Effect, Layer, Redacted } from "effect"

const Client = Layer.unwrapEffect(Effect.map(KpsEmulator.KpsEmulator, (emulator) =>
  KpsNode.layer({
    endpoint: emulator.url,
    projectId: KpsEmulator.defaultProjectId,
    credentials: Credentials.token(KpsEmulator.defaultToken)
  })
))
const Live = Client.pipe(Layer.provideMerge(KpsEmulator.layer({ taskDuration: "1 second" })))

const associated = TaskWaiter.startAndWait(
  KpsClient.associateKeypair({
    keypairName: "consumer",
    server: { id: "server-1", auth: { type: "password", key: Redacted.make("not-a-real-password") } }
  }),
  { policy: WaitPolicy.fixed("100 millis"), deadline: "30 seconds" }
)

Effect.runPromise(Effect.provide(associated, Live)).then(
  (task) => console.log("outcome: task " + task.taskId + " ended " + task.taskStatus),
  (error) => {
    console.error("outcome: failed", error)
    process.exitCode = 1
  }
)
`

/** @param {Record<string, unknown>} compilerOptions */
const tsconfig = (compilerOptions, include = ["src"]) =>
  JSON.stringify(
    { compilerOptions: { strict: true, skipLibCheck: true, target: "ES2022", ...compilerOptions }, include },
    null,
    2
  )

const work = temporaryDirectory("effect-kps-pack-check-")
try {
  // 1. Pack, lint and dry-run the release, as CI and a maintainer run it.
  const tarballsDir = join(work.path, "tarballs")
  log("pnpm release --dry-run")
  const release = await runOk("pnpm", ["release", "--dry-run", "--pack-destination", tarballsDir], {
    timeoutMs: 900_000,
    echo: true
  })
  for (const { manifest } of packages) {
    check(
      release.stdout.includes(`would publish ${manifest.name}@${manifest.version}\n`),
      `the release dry run did not name ${manifest.name}@${manifest.version}`
    )
  }
  const order = (/^order: (.*)$/m.exec(release.stdout)?.[1] ?? "").split(", ")
  for (const { manifest } of packages) {
    for (
      const dependency of Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith("@effect-kps/"))
    ) {
      check(
        order.indexOf(dependency) < order.indexOf(manifest.name),
        `the release would publish ${manifest.name} before ${dependency}, which it depends on`
      )
    }
  }
  const tarballOf = (/** @type {string} */ name) => {
    const pkg = packages.find(({ manifest }) => manifest.name === name)
    check(pkg !== undefined, `${name} is not a workspace package`)
    const file = join(tarballsDir, `${tarballName(name)}-${pkg.manifest.version}.tgz`)
    check(existsSync(file), `no tarball for ${name}`)
    return `file:${file}`
  }

  // 2. The libraries, as the READMEs say to install them.
  const consumer = join(work.path, "consumer")
  mkdirSync(join(consumer, "src"), { recursive: true })
  mkdirSync(join(consumer, "cjs"))
  /** @type {Record<string, string>} */
  const dependencies = {}
  /** @type {Record<string, string>} */
  const devDependencies = {
    typescript: rootManifest.devDependencies.typescript,
    "@types/node": rootManifest.devDependencies["@types/node"]
  }
  const libraries = packages.filter(({ manifest }) => manifest.bin === undefined)
  for (const { dir } of libraries) {
    for (const { dev, specs } of readmeInstalls(dir)) {
      for (const [name, range] of specs.map(splitSpec)) {
        const spec = name.startsWith("@effect-kps/") ? tarballOf(name) : range
        check(spec !== "", `${dir}/README.md installs ${name} without a version`)
        const target = dev ? devDependencies : dependencies
        check(
          (target[name] ?? spec) === spec,
          `the READMEs install ${name} as both ${target[name]} and ${spec}`
        )
        target[name] = spec
      }
    }
  }
  for (const name of Object.keys(dependencies)) delete devDependencies[name]
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify(
      { name: "effect-kps-consumer", private: true, type: "module", dependencies, devDependencies },
      null,
      2
    )
  )
  writeFileSync(join(consumer, "src/main.ts"), program)
  for (const { dir, manifest } of libraries) {
    for (const { line, code } of tsBlocks(join(dir, "README.md"))) {
      writeFileSync(join(consumer, "src", `readme_${tarballName(manifest.name)}_${line}.ts`), code)
    }
  }
  writeFileSync(
    join(consumer, "src/exports.ts"),
    libraries.flatMap(({ manifest }) => specifiersOf(manifest)).map((specifier, i) =>
      `import * as m${i} from "${specifier}"\nexport { m${i} }\n`
    ).join("")
  )
  writeFileSync(
    join(consumer, "cjs/require.cts"),
    `import { KpsClient } from "@effect-kps/core"\nexport const client = KpsClient\n`
  )
  writeFileSync(join(consumer, "runtime-check.mjs"), runtimeCheck(libraries))
  writeFileSync(
    join(consumer, "tsconfig.nodenext.json"),
    tsconfig({ module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022"], types: ["node"], outDir: "out" })
  )
  writeFileSync(
    join(consumer, "tsconfig.bundler.json"),
    tsconfig({ module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: ["node"], noEmit: true })
  )
  writeFileSync(
    join(consumer, "tsconfig.cjs.json"),
    tsconfig({ module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], noEmit: true }, ["cjs"])
  )
  log(
    `npm install in ${consumer}: ${Object.keys(dependencies).join(", ")}; dev: ${
      Object.keys(devDependencies).join(", ")
    }`
  )
  await inConsumer(consumer, "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"])
  const tsc = join(consumer, "node_modules/.bin/tsc")
  log("tsc with moduleResolution NodeNext (emitting the program) and Bundler; tsc on a .cts file, which must fail")
  const [, , cts] = await Promise.all([
    inConsumer(consumer, tsc, ["-p", "tsconfig.nodenext.json"]),
    inConsumer(consumer, tsc, ["-p", "tsconfig.bundler.json"]),
    run(tsc, ["-p", "tsconfig.cjs.json"], { cwd: consumer, env: consumerEnv, timeoutMs: 300_000 })
  ])
  check(
    cts.code !== 0 && /TS2305: Module '"@effect-kps\/core"' has no exported member 'KpsClient'/.test(cts.stdout),
    `a .cts file importing @effect-kps/core compiled, or failed otherwise:\n${cts.stdout}${cts.stderr}`
  )
  log("node out/main.js: the emulator, an association, the wait")
  const ran = await inConsumer(consumer, "node", ["out/main.js"], 60_000)
  check(
    /^outcome: task \S+ ended SUCCESS_RESET$/m.test(ran.stdout),
    `the program did not succeed:\n${ran.stdout}${ran.stderr}`
  )
  process.stdout.write(ran.stdout)
  log("every exported module imports; require() says ESM-only")
  process.stdout.write((await inConsumer(consumer, "node", ["runtime-check.mjs"], 60_000)).stdout)

  // 3. The CLI, with peers not auto-installed: it must carry what it needs.
  const cli = packages.find(({ manifest }) => manifest.bin !== undefined)
  check(cli !== undefined, "no package has a bin")
  const cliConsumer = join(work.path, "cli-consumer")
  mkdirSync(cliConsumer)
  // Not on the registry yet: the workspace packages the CLI depends on, all the way down, as tarballs.
  /** @type {Set<string>} */
  const ours = new Set()
  const collect = (/** @type {string} */ name) => {
    if (ours.has(name)) return
    ours.add(name)
    const pkg = packages.find(({ manifest }) => manifest.name === name)
    for (const dependency of Object.keys(pkg?.manifest.dependencies ?? {})) {
      if (dependency.startsWith("@effect-kps/")) collect(dependency)
    }
  }
  collect(cli.manifest.name)
  writeFileSync(
    join(cliConsumer, "package.json"),
    JSON.stringify(
      {
        name: "effect-kps-cli-consumer",
        private: true,
        dependencies: Object.fromEntries([...ours].map((name) => [name, tarballOf(name)]))
      },
      null,
      2
    )
  )
  writeFileSync(join(cliConsumer, "runtime-check.mjs"), runtimeCheck([cli]))
  log(`npm install --legacy-peer-deps in ${cliConsumer}: ${[...ours].join(", ")}`)
  await inConsumer(cliConsumer, "npm", ["install", "--legacy-peer-deps", "--no-audit", "--no-fund", "--loglevel=error"])
  // npm left the peers out: what the installed packages ask of their peers must be the CLI's own
  // dependencies (or optional), or the CLI would need its users to install them.
  const modules = join(cliConsumer, "node_modules")
  const installedNames = readdirSync(modules).flatMap((entry) =>
    entry.startsWith("@") ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : [entry]
  ).filter((name) => existsSync(join(modules, name, "package.json")))
  const unmet = installedNames.flatMap((name) => {
    const manifest = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"))
    const optional = manifest.peerDependenciesMeta ?? {}
    return Object.keys(manifest.peerDependencies ?? {}).filter((peer) =>
      optional[peer]?.optional !== true && !installedNames.includes(peer)
    ).map((peer) => `${name} → ${peer}`)
  })
  check(unmet.length === 0, `peers the CLI's dependencies need but it does not carry: ${unmet.join(", ")}`)
  log("npx kps-task --help")
  const help = await inConsumer(cliConsumer, "npx", ["--no", "--", "kps-task", "--help"], 60_000)
  check(
    help.stdout.includes(`kps-task ${cli.manifest.version}`),
    `kps-task --help printed:\n${help.stdout}${help.stderr}`
  )
  log("npx kps-task demo")
  const demo = await inConsumer(cliConsumer, "npx", ["--no", "--", "kps-task", "demo"], 120_000)
  check(/SUCCESS_RESET/.test(demo.stdout), `kps-task demo printed:\n${demo.stdout}${demo.stderr}`)
  process.stdout.write(demo.stdout)
  process.stdout.write((await inConsumer(cliConsumer, "node", ["runtime-check.mjs"], 60_000)).stdout)
  // A bundler honours `sideEffects`: with `[]`, it dropped the bin's `import "../dist/bundle/kps-task.js"`
  // (the program, minified: its teardown's message is one of the texts that stays as written).
  log("esbuild bundles the installed bin, keeping its program")
  const bundled = await esbuild.build({
    entryPoints: [join(cliConsumer, "node_modules", cli.manifest.name, Object.values(cli.manifest.bin ?? {})[0])],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    write: false,
    logLevel: "silent"
  })
  check(
    bundled.warnings.length === 0 && bundled.outputFiles[0].text.includes("kps-task: internal error"),
    `the bundled bin lost its program:\n${bundled.warnings.map((warning) => warning.text).join("\n")}`
  )

  log("all good")
} finally {
  work.remove()
  log(`removed ${work.path}`)
}

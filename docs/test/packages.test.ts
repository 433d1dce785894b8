import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

// What each published package promises, checked against its sources so that the two cannot drift:
// `exports` lists exactly the public modules (src/*.ts but index and bin, which "." and `bin`
// cover), each sending CommonJS to the ESM-only stub; `publishConfig.exports` is the same without
// the workspace's `source` condition; the metadata a registry page shows is there; every package a
// module imports is declared; the README says how to install it with the Effect versions it needs.
// scripts/pack-check.mjs checks the tarballs themselves.
const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const packagesDir = join(rootDir, "packages")
const repository = "https://github.com/effect-kps/effect-kps"

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly [key: string]: unknown
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
  readonly bin?: Readonly<Record<string, string>>
  readonly engines?: { readonly node?: string }
  readonly sideEffects?: ReadonlyArray<string> | boolean
  readonly files?: ReadonlyArray<string>
  readonly scripts?: Readonly<Record<string, string>>
  readonly exports?: Readonly<Record<string, unknown>>
  readonly publishConfig?: { readonly access?: string; readonly exports?: Readonly<Record<string, unknown>> }
}

const readManifest = (file: string): Manifest => JSON.parse(readFileSync(file, "utf8")) as Manifest

const packages = readdirSync(packagesDir).map((dir) => ({
  dir,
  manifest: readManifest(join(packagesDir, dir, "package.json"))
})).filter(({ manifest }) => manifest.private !== true)

const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]))

const topLevelModules = (dir: string): ReadonlyArray<string> =>
  readdirSync(join(packagesDir, dir, "src"))
    .filter((file) => file.endsWith(".ts") && file !== "index.ts" && file !== "bin.ts")
    .map((file) => file.slice(0, -".ts".length))
    .sort()

const esmOnly = { types: "./dist/esm-only.d.cts", default: "./dist/esm-only.cjs" }

const expectedExports = (dir: string) =>
  Object.fromEntries(
    [["index", "."], ...topLevelModules(dir).map((module) => [module, `./${module}`])].map(([module, subpath]) => [
      subpath,
      {
        source: `./src/${module}.ts`,
        require: esmOnly,
        types: `./dist/${module}.d.ts`,
        default: `./dist/${module}.js`
      }
    ])
  )

const withoutSource = (exports: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(
    Object.entries(exports).map(([subpath, conditions]) => {
      const { source: _source, ...rest } = conditions as Record<string, unknown>
      return [subpath, rest]
    })
  )

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

/** `effect/Effect` → `effect`, `@effect/platform/HttpClient` → `@effect/platform`; relative and node: imports → undefined. */
const packageOf = (specifier: string): string | undefined => {
  if (specifier.startsWith(".") || specifier.startsWith("node:")) return undefined
  const parts = specifier.split("/")
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]
}

const importedPackages = (dir: string): ReadonlySet<string> =>
  new Set(
    sourceFiles(join(packagesDir, dir, "src")).flatMap((file) =>
      ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.flatMap(({ fileName }) => {
        const name = packageOf(fileName)
        return name === undefined ? [] : [name]
      })
    )
  )

// Packages that need Node.js 20.18.1 (undici 7's minimum), directly or through a dependency.
const needsUndiciNode = (name: string, seen: ReadonlySet<string> = new Set()): boolean => {
  const pkg = byName.get(name)
  if (pkg === undefined || seen.has(name)) return false
  return Object.keys(pkg.manifest.dependencies ?? {}).some((dependency) =>
    dependency === "undici" || dependency === "@effect/platform-node" ||
    needsUndiciNode(dependency, new Set([...seen, name]))
  )
}

/** The `npm i …` lines of a README's sh blocks, as their arguments. */
const installLines = (readme: string): ReadonlyArray<ReadonlyArray<string>> =>
  readme.split("\n").filter((line) => line.startsWith("npm i ")).map((line) => line.split(/\s+/).slice(2))

describe("packages", () => {
  it("finds the published packages", () => {
    expect(packages.map(({ dir }) => dir).sort()).toEqual(
      ["browser", "cli", "core", "emulator", "node", "polling", "testing", "workflow"]
    )
  })

  it("has an MIT LICENSE at the root, which every package's prepack copies", () => {
    const license = readFileSync(join(rootDir, "LICENSE"), "utf8")
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 effect-kps contributors\n/)
  })

  for (const { dir, manifest } of packages) {
    describe(manifest.name, () => {
      it("exports exactly its public modules, CommonJS going to the ESM-only stub", () => {
        expect(manifest.exports).toEqual(expectedExports(dir))
        // Object order is condition order: `source` first in the workspace, `require` before `types`
        // so that TypeScript in a .cts file sees the stub's declarations.
        for (const conditions of Object.values(manifest.exports ?? {})) {
          expect(Object.keys(conditions as object)).toEqual(["source", "require", "types", "default"])
        }
      })

      it("publishes the same exports without the source condition", () => {
        expect(manifest.publishConfig).toEqual({ access: "public", exports: withoutSource(manifest.exports ?? {}) })
      })

      it("builds its stub, and packs and publishes only through pnpm", () => {
        expect(manifest.scripts).toMatchObject({
          // The CLI also bundles its executable (scripts/bundle.mjs).
          build: `tsc -b tsconfig.build.json && node ../../scripts/esm-only.mjs${
            manifest.bin === undefined ? "" : " && node scripts/bundle.mjs"
          }`,
          prepack: "node ../../scripts/lifecycle.mjs prepack",
          prepublishOnly: "node ../../scripts/lifecycle.mjs prepublishOnly"
        })
        expect(manifest.files).toEqual(expect.arrayContaining(["dist", "LICENSE", "README.md"]))
      })

      it("says where it comes from", () => {
        expect(manifest).toMatchObject({
          type: "module",
          license: "MIT",
          author: "effect-kps contributors",
          homepage: `${repository}/tree/main/packages/${dir}#readme`,
          bugs: { url: `${repository}/issues` },
          repository: { type: "git", url: `git+${repository}.git`, directory: `packages/${dir}` }
        })
        expect((manifest.keywords as ReadonlyArray<string>).length).toBeGreaterThan(2)
        expect(manifest.description).toEqual(expect.any(String))
      })

      it("names the Node.js versions it runs on", () => {
        expect(manifest.engines).toEqual({ node: needsUndiciNode(manifest.name) ? ">=20.18.1" : ">=20" })
      })

      it("declares every package its modules import", () => {
        const declared = new Set([
          manifest.name,
          ...Object.keys(manifest.dependencies ?? {}),
          ...Object.keys(manifest.peerDependencies ?? {})
        ])
        expect([...importedPackages(dir)].filter((name) => !declared.has(name))).toEqual([])
      })

      it("has a README with an install line naming the Effect versions, and saying it is ESM-only", () => {
        const file = join(packagesDir, dir, "README.md")
        expect(existsSync(file)).toBe(true)
        const readme = readFileSync(file, "utf8")
        expect(readme.startsWith(`# ${manifest.name}\n`)).toBe(true)
        expect(readme).toContain("ESM-only")
        expect(readme).toContain(`${repository}/blob/main/docs/`)
        const lines = installLines(readme)
        expect(lines.flat()).toContain(manifest.name)
        for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
          expect(lines.flat(), `${peer}@${range}`).toContain(`${peer}@${range}`)
        }
        // Every package a line names is one of ours or a pinned range: a bare `effect` gets Effect 4.
        for (const argument of lines.flat().filter((argument) => !argument.startsWith("-"))) {
          expect(byName.has(argument) || /^(@[^/@]+\/)?[^@]+@\^\d/.test(argument), argument).toBe(true)
        }
      })

      it(manifest.bin === undefined ? "has no side effects" : "keeps its executable when bundled", () => {
        if (manifest.bin === undefined) {
          expect(manifest.sideEffects).toEqual([])
          return
        }
        // The bin module and what it imports for effect (`import "./internal/main.js"`), built and not.
        const binSource = readFileSync(join(packagesDir, dir, "src/bin.ts"), "utf8")
        const sideEffectImports = [...binSource.matchAll(/^import "\.\/(.+)\.js"$/gm)].map((match) => match[1])
        expect(sideEffectImports.length).toBeGreaterThan(0)
        expect(manifest.sideEffects).toEqual(expect.arrayContaining([
          ...Object.values(manifest.bin),
          ...["bin", ...sideEffectImports].flatMap((module) => [`./dist/${module}.js`, `./src/${module}.ts`])
        ]))
      })
    })
  }
})

describe("the CLI, an application", () => {
  const cli = packages.find(({ manifest }) => manifest.bin !== undefined)!
  const dependencies = cli.manifest.dependencies ?? {}

  it("carries Effect itself instead of asking for peers", () => {
    expect(cli.manifest.peerDependencies).toBeUndefined()
    expect(Object.keys(dependencies)).toEqual(expect.arrayContaining(["effect", "@effect/platform"]))
  })

  it("depends on every peer its dependencies need, all the way down", () => {
    // pnpm installs each package's dependencies next to it: follow them through the real paths.
    const missing = new Set<string>()
    const seen = new Set<string>()
    const visit = (directory: string): void => {
      const real = realpathSync(directory)
      if (seen.has(real)) return
      seen.add(real)
      const dependency = readManifest(join(real, "package.json"))
      const optional = (dependency.peerDependenciesMeta ?? {}) as Readonly<Record<string, { optional?: boolean }>>
      for (const peer of Object.keys(dependency.peerDependencies ?? {})) {
        if (!(peer in dependencies) && optional[peer]?.optional !== true) {
          missing.add(`${peer} (for ${dependency.name})`)
        }
      }
      const siblings = dependency.name.startsWith("@") ? dirname(dirname(real)) : dirname(real)
      for (const inner of Object.keys(dependency.dependencies ?? {})) {
        const next = join(siblings, inner)
        if (existsSync(next)) visit(next)
      }
    }
    for (const name of Object.keys(dependencies)) visit(join(packagesDir, cli.dir, "node_modules", name))
    expect(seen.size).toBeGreaterThan(Object.keys(dependencies).length)
    expect([...missing]).toEqual([])
  })
})

describe("install lines in the README, the guides and the packages' READMEs", () => {
  const docsDir = join(rootDir, "docs")
  const files = [
    join(rootDir, "README.md"),
    ...readdirSync(docsDir).filter((name) => name.endsWith(".md")).map((name) => join(docsDir, name)),
    ...packages.map(({ dir }) => join(packagesDir, dir, "README.md"))
  ]
  const lines = files.flatMap((file) =>
    // A command continued over several lines (`\` at the end) is read as one.
    readFileSync(file, "utf8").replace(/\\\n\s*/g, " ").split("\n")
      .filter((line) => /^(npm i|npm install|pnpm add|yarn add) /.test(line))
      .map((line) => ({ file: file.slice(rootDir.length + 1), line: line.replace(/\s+(#|&&).*$/, "") }))
  )

  it("finds them, in getting started too", () => {
    expect(lines.some(({ file }) => file === "docs/getting-started.md")).toBe(true)
  })

  it("pin every package that is not ours to a version or range: a bare name installs its latest, such as Effect 4", () => {
    const unpinned = lines.flatMap(({ file, line }) =>
      line.split(/\s+/).slice(2).filter((argument) =>
        !argument.startsWith("-") && !byName.has(argument) && !/^(@[^/@]+\/)?[^@]+@\^?\d/.test(argument)
      ).map((argument) => `${file}: ${argument}`)
    )
    expect(unpinned).toEqual([])
  })
})

describe("packing and publishing with npm", () => {
  const lifecycle = (step: string, userAgent: string | undefined) => {
    const env = { ...process.env }
    delete env.npm_config_user_agent
    if (userAgent !== undefined) env.npm_config_user_agent = userAgent
    return spawnSync(process.execPath, [join(rootDir, "scripts/lifecycle.mjs"), step], {
      cwd: join(packagesDir, "core"),
      env,
      encoding: "utf8",
      timeout: 30_000
    })
  }

  for (const step of ["prepack", "prepublishOnly"]) {
    it(`${step} refuses npm, and tools that do not say who they are`, () => {
      const verb = step === "prepack" ? "pack" : "publish"
      const npm = lifecycle(step, "npm/11.19.1 node/v20.20.2 linux x64 workspaces/false")
      expect(npm.status).toBe(1)
      expect(npm.stderr).toContain(`@effect-kps/core: refusing to ${verb} with npm/11.19.1.`)
      expect(npm.stderr).toContain("workspace:^")
      const unknown = lifecycle(step, undefined)
      expect(unknown.status).toBe(1)
      expect(unknown.stderr).toContain(`refusing to ${verb} with a tool other than pnpm`)
    })
  }

  it("prepublishOnly lets pnpm through (prepack, which builds, runs in pack-check)", () => {
    const pnpm = lifecycle("prepublishOnly", "pnpm/10.34.9 npm/? node/v20.20.2 linux x64")
    expect({ status: pnpm.status, stderr: pnpm.stderr }).toEqual({ status: 0, stderr: "" })
  })
})

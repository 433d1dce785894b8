import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

// Every ```ts block of the README, the guides and the packages' READMEs is compiled as its own
// module, against the workspace packages as users import them. A block fenced as ```ts ignore is
// skipped on purpose.
const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const rootDir = resolve(docsDir, "..")
const packagesDir = join(rootDir, "packages")
const sources = [
  join(rootDir, "README.md"),
  ...readdirSync(docsDir).filter((name) => name.endsWith(".md")).map((name) => join(docsDir, name)),
  ...readdirSync(packagesDir).map((name) => join(packagesDir, name, "README.md"))
]
/** `README.md`, `docs/cli.md`, `packages/cli/README.md`: where an example comes from. */
const shortName = (source: string): string => relative(rootDir, source)

interface Example {
  readonly source: string
  readonly line: number
  readonly fileName: string
  readonly code: string
}

const examples: ReadonlyArray<Example> = sources.flatMap((source) => {
  const lines = readFileSync(source, "utf8").split("\n")
  const found: Array<Example> = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end].trim() !== "```") end++
    const name = shortName(source).replace(".md", "").replaceAll("/", "_")
    found.push({
      source,
      line: start + 1,
      // Inside docs/, so that imports resolve through docs/node_modules like a user's project.
      fileName: join(docsDir, `__example_${name}_${start + 1}.ts`),
      code: lines.slice(start, end).join("\n")
    })
    i = end
  }
  return found
})

const compilerOptions: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  customConditions: ["source"],
  moduleDetection: ts.ModuleDetectionKind.Force,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: ["node"]
}

const diagnosticsByFile = (() => {
  const byName = new Map(examples.map((example) => [example.fileName, example.code]))
  const host = ts.createCompilerHost(compilerOptions)
  const getSourceFile = host.getSourceFile
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const code = byName.get(fileName)
    return code === undefined
      ? getSourceFile.call(host, fileName, languageVersion, ...rest)
      : ts.createSourceFile(fileName, code, languageVersion, true)
  }
  const fileExists = host.fileExists
  host.fileExists = (fileName) => byName.has(fileName) || fileExists.call(host, fileName)
  const program = ts.createProgram([...byName.keys()], compilerOptions, host)
  const result = new Map<string, Array<string>>()
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const fileName = diagnostic.file?.fileName ?? "(global)"
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
    const position = diagnostic.file && diagnostic.start !== undefined
      ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
      : 0
    result.set(fileName, [...(result.get(fileName) ?? []), `line ${position}: ${text}`])
  }
  return result
})()

describe("documentation examples", () => {
  it("finds examples in the README and every guide", () => {
    expect(examples.length).toBeGreaterThan(0)
    // A package's README may show commands only (the CLI's does).
    for (const source of sources.filter((source) => !source.startsWith(packagesDir))) {
      expect(examples.some((example) => example.source === source), source).toBe(true)
    }
  })

  it("has no diagnostics outside the examples", () => {
    const names = new Set(examples.map((example) => example.fileName))
    const elsewhere = [...diagnosticsByFile].filter(([fileName]) => !names.has(fileName))
    expect(elsewhere).toEqual([])
  })

  for (const example of examples) {
    it(`compiles ${shortName(example.source)}:${example.line}`, () => {
      expect(diagnosticsByFile.get(example.fileName) ?? []).toEqual([])
    })
  }
})

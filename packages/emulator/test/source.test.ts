import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

// How the emulator's source is written: on the platform's router, errors in the error channel,
// no assertions that a value is there, no type named over a built-in one.
const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), "../src")
const files = readdirSync(srcDir, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts"))
  .map((file) => join(srcDir, file))

const builtInTypes = new Set([
  ...Object.getOwnPropertyNames(globalThis),
  "Record",
  "Partial",
  "Required",
  "Readonly",
  "Pick",
  "Omit",
  "Exclude",
  "Extract",
  "NonNullable",
  "Parameters",
  "ReturnType",
  "Awaited"
])

interface Finding {
  readonly file: string
  readonly line: number
  readonly text: string
}

const findings = (visit: (node: ts.Node) => boolean): ReadonlyArray<Finding> =>
  files.flatMap((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true)
    const found: Array<Finding> = []
    const walk = (node: ts.Node): void => {
      if (visit(node)) {
        found.push({
          file: relative(srcDir, file),
          line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
          text: node.getText().slice(0, 80)
        })
      }
      ts.forEachChild(node, walk)
    }
    walk(source)
    return found
  })

describe("the emulator's source", () => {
  it("finds the source files", () => {
    expect(files.length).toBeGreaterThan(10)
  })

  it("asserts no value non-null (`x!`)", () => {
    expect(findings(ts.isNonNullExpression)).toEqual([])
  })

  it("names no type after a built-in one (Record, Map, Request, ...)", () => {
    expect(
      findings((node) =>
        (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassDeclaration(node)) &&
        node.name !== undefined && builtInTypes.has(node.name.text)
      )
    ).toEqual([])
  })

  it("returns no errors in the success channel (`Effect<Either<...>>`)", () => {
    expect(findings((node) =>
      ts.isTypeReferenceNode(node) && /(^|\.)Effect$/.test(node.typeName.getText()) &&
      node.typeArguments !== undefined && /^Either\b|\.Either\b/.test(node.typeArguments[0].getText())
    )).toEqual([])
  })

  it("routes with @effect/platform's HttpRouter", () => {
    const importsRouter = files.some((file) => readFileSync(file, "utf8").includes("\"@effect/platform/HttpRouter\""))
    expect(importsRouter).toBe(true)
  })
})

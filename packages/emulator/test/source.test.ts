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

// Every global the TypeScript libraries declare (ES and DOM): Record, Map, Request, Window, ...
const libDir = dirname(ts.getDefaultLibFilePath({}))
const declaredNames = (statement: ts.Statement): ReadonlyArray<string> => {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((declaration) =>
      ts.isIdentifier(declaration.name) ? [declaration.name.text] : []
    )
  }
  return (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) ||
      ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement)) && statement.name !== undefined
    ? [statement.name.text]
    : []
}
const builtInTypes = new Set(
  readdirSync(libDir)
    .filter((file) => /^lib\.(es[\w.]*|dom)\.d\.ts$/.test(file))
    .flatMap((file) =>
      ts.createSourceFile(file, readFileSync(join(libDir, file), "utf8"), ts.ScriptTarget.ES2022).statements
        .flatMap(declaredNames)
    )
)

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
  it("finds the source files and the built-in names", () => {
    expect(files.length).toBeGreaterThan(10)
    expect(["Record", "Map", "Request", "Window"].filter((name) => !builtInTypes.has(name))).toEqual([])
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

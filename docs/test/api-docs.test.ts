import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

// Every export of every public module (packages/*/src/*.ts, not internal/) carries a JSDoc
// comment with an @since tag.
const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../packages")
const publicModules = readdirSync(packagesDir).flatMap((name) => {
  const src = join(packagesDir, name, "src")
  return readdirSync(src).filter((file) => file.endsWith(".ts")).map((file) => join(src, file))
})

const hasSince = (node: ts.Node): boolean =>
  ts.getJSDocTags(node).some((tag) => tag.tagName.text === "since") ||
  // `export const a = ...`: the comment sits on the statement, not the declaration.
  (ts.isVariableDeclaration(node) && ts.getJSDocTags(node.parent.parent).some((tag) => tag.tagName.text === "since"))

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

const undocumentedExports = (file: string): ReadonlyArray<string> => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true)
  const missing: Array<string> = []
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause
      if (clause !== undefined && ts.isNamedExports(clause)) {
        // `export { a, b } from "..."`: each name carries its own comment, as docgen reads them.
        for (const element of clause.elements) {
          const comments = ts.getLeadingCommentRanges(source.text, element.getFullStart()) ?? []
          if (!comments.some((range) => source.text.slice(range.pos, range.end).includes("@since"))) {
            missing.push(element.name.text)
          }
        }
      } else if (ts.getJSDocTags(statement).every((tag) => tag.tagName.text !== "since")) {
        missing.push(statement.getText().split("\n")[0])
      }
      continue
    }
    if (!isExported(statement)) continue
    const declarations = ts.isVariableStatement(statement) ? statement.declarationList.declarations : [statement]
    for (const declaration of declarations) {
      if (!hasSince(declaration)) {
        const name = (declaration as { readonly name?: ts.Node }).name?.getText() ?? declaration.getText().slice(0, 40)
        missing.push(name)
      }
    }
  }
  return missing
}

describe("public API documentation", () => {
  it("finds the public modules", () => {
    expect(publicModules.length).toBeGreaterThan(5)
  })

  for (const file of publicModules) {
    it(`documents every export of ${file.slice(packagesDir.length + 1)} with @since`, () => {
      expect(undocumentedExports(file)).toEqual([])
    })
  }
})

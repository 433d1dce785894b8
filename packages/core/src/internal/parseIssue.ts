import type * as ParseResult from "effect/ParseResult"

/**
 * Says what is wrong with a value from the wire without printing the value. Effect's formatters
 * print the actual value, recursively: a deeply nested answer overflows the stack, and any echoed
 * secret or huge string would be copied into the message. Here the walk follows the schema (whose
 * depth is ours), and a value is named by its kind only.
 */
export const describe = (error: ParseResult.ParseError): string => {
  const problems: Array<string> = []
  collect(error.issue, [], problems)
  const shown = problems.slice(0, maxProblems)
  const more = problems.length - shown.length
  return more > 0 ? `${shown.join("; ")}; and ${more} more` : shown.join("; ")
}

const maxProblems = 5

/** A value's kind, never its content. */
export const kindOf = (u: unknown): string => {
  if (u === null) return "null"
  if (Array.isArray(u)) return "an array"
  switch (typeof u) {
    case "string":
      return "a string"
    case "number":
    case "boolean":
    case "bigint":
      return `a ${typeof u}`
    case "undefined":
      return "nothing"
    case "object":
      return "an object"
    default:
      return `a ${typeof u}`
  }
}

const at = (path: ReadonlyArray<PropertyKey>) =>
  path.length === 0 ? "" : `at ${path.map((key) => `[${JSON.stringify(String(key))}]`).join("")}: `

const collect = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>, into: Array<string>): void => {
  if (into.length > maxProblems) return
  switch (issue._tag) {
    case "Pointer":
      return collect(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])], into)
    case "Composite":
      for (const inner of Array.isArray(issue.issues) ? issue.issues : [issue.issues]) collect(inner, path, into)
      return
    case "Refinement":
    case "Transformation":
      return collect(issue.issue, path, into)
    case "Type":
      into.push(`${at(path)}expected ${String(issue.ast)}, got ${kindOf(issue.actual)}`)
      return
    case "Missing":
      into.push(`${at(path)}missing (expected ${String(issue.ast)})`)
      return
    case "Unexpected":
      into.push(`${at(path)}not expected`)
      return
    case "Forbidden":
      into.push(`${at(path)}could not be checked`)
      return
  }
}

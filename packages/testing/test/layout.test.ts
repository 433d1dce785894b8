import { KpsTesting } from "@effect-kps/testing"
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), "../src")
const files = readdirSync(srcDir, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts"))
  .map((file) => join(srcDir, file))

describe("the testing package's layout", () => {
  it("keeps KpsTesting's exports, names and kinds", () => {
    const kinds = Object.fromEntries(Object.entries(KpsTesting).map(([name, value]) => [name, typeof value]))
    expect(kinds).toEqual({
      KpsTesting: "function",
      apiError: "function",
      defaultTaskError: "object",
      endpoint: "string",
      hang: "function",
      html: "function",
      layer: "function",
      layerClient: "function",
      lifecycle: "function",
      operateTypes: "object",
      pass: "function",
      projectId: "string",
      raw: "function",
      requests: "object",
      runToEnd: "function",
      setTask: "function",
      started: "object",
      status: "function",
      task: "function",
      throttled: "function",
      transportError: "function"
    })
  })

  // One job per file: models, steps, lifecycle, timelines, routes, requests, the task store, the
  // handlers, the control service, layers, the clock driver, the stub, the contract's cases.
  // About 300 lines is the style guide's hint that a file holds more than one concept.
  it("has no source file longer than 300 lines", () => {
    const long = files
      .map((file) => [relative(srcDir, file), readFileSync(file, "utf8").split("\n").length] as const)
      .filter(([, lines]) => lines > 300)
    expect(long).toEqual([])
  })
})

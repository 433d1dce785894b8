import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

// core runs unchanged in Node and in browsers: no Node built-ins, no process globals, no stub.
const src = fileURLToPath(new URL("../src", import.meta.url))
const sources = readdirSync(src, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts"))
  .map((file) => ({ file, text: readFileSync(join(src, file), "utf8") }))

describe("core knows no runtime", () => {
  it("reads its sources", () => {
    expect(sources.length).toBeGreaterThan(10)
  })

  it("imports only effect, @effect/platform and itself", () => {
    const imports = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/^(?:import|export)\b[^\n]*? from "([^"]+)"/gm)].map((match) => ({ file, specifier: match[1] }))
    )
    const foreign = imports.filter(({ specifier }) =>
      !specifier.startsWith(".") && !specifier.startsWith("effect/") && !specifier.startsWith("@effect/platform/")
    )
    expect(foreign).toEqual([])
  })

  it("uses no Node or test globals", () => {
    const offenders = sources.filter(({ text }) => /\b(process|Buffer|require|__dirname)\b[.(]/.test(text))
    expect(offenders.map(({ file }) => file)).toEqual([])
  })
})

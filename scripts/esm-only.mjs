// @ts-check
// Run by each package's `build` in the package's directory: writes the CommonJS stub its
// `exports` send `require` to (see lib/esmOnly.mjs).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { stubJs, stubPaths, stubTypes } from "./lib/esmOnly.mjs"

const { name } = JSON.parse(readFileSync("package.json", "utf8"))
mkdirSync(dirname(stubPaths.js), { recursive: true })
writeFileSync(stubPaths.js, stubJs(name))
writeFileSync(stubPaths.types, stubTypes(name))

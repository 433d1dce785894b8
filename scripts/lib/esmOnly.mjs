// @ts-check
// What a CommonJS user gets from an effect-kps package: every package is ESM-only, and its
// `exports` send the `require` condition to a stub that says so (at run time) and to declarations
// that export nothing (so a .cts file fails to compile instead of failing when run).

/** The stub's file names, relative to a package's root; its `exports` point here. */
export const stubPaths = { js: "./dist/esm-only.cjs", types: "./dist/esm-only.d.cts" }

/**
 * The message `require("<name>")` throws.
 * @param {string} name the package name
 */
export const message = (name) =>
  `${name} is ESM-only: it cannot be loaded with require(). Import it from an ES module ` +
  `(import { ... } from "${name}" in a .mjs or .mts file, or in a package with "type": "module"), ` +
  `or from CommonJS with await import("${name}").`

/**
 * The stub's JavaScript: throws the message, with Node's code for the same situation.
 * @param {string} name the package name
 */
export const stubJs = (name) =>
  `"use strict"
// ${name} is ESM-only. This file is what require("${name}") loads, so that CommonJS users
// learn why and what to do instead of reading "No exports main defined".
const error = new Error(${JSON.stringify(message(name))})
error.code = "ERR_REQUIRE_ESM"
throw error
`

/**
 * The stub's declarations: no exports, so that a CommonJS file importing the package fails to
 * type-check.
 * @param {string} name the package name
 */
export const stubTypes = (name) =>
  `// ${name} is ESM-only: require("${name}") throws at run time, so a CommonJS
// (.cts) file sees no exports here. Import it from an ES module (a .mts file, or a package with
// "type": "module"), or from CommonJS with \`await import("${name}")\`.
export {}
`

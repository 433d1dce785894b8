import { execFileSync } from "node:child_process"

/** util-linux `script`, to run the CLI on a pseudo-terminal. */
const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

/**
 * Whether the tests that need a pseudo-terminal are skipped: only where `script` is missing, and
 * never under CI, where its absence is a failure of the machine's setup.
 */
export const withoutTerminal: boolean = !hasScript && process.env.CI !== "true"

if (withoutTerminal) console.log("skipping the terminal tests: util-linux `script` is not installed")

/** A word quoted for `/bin/sh`. */
export const shellQuote = (word: string): string => `'${word.replace(/'/g, "'\\''")}'`

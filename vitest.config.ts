import { existsSync } from "node:fs"
import { defineConfig } from "vitest/config"
import type { Reporter } from "vitest/node"

// packages/browser runs its tests in a real headless Chromium: Debian's `chromium` package, or
// the browser at CHROMIUM_PATH. Without one, the other projects still run and the run ends by
// saying the browser tests did not; on CI (CI=true) a missing Chromium fails the run instead.
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const hasChromium = existsSync(chromiumPath)
const howToEnable = "install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary"

if (!hasChromium && process.env.CI === "true") {
  throw new Error(
    `No Chromium at ${chromiumPath}, so the browser tests cannot run, and on CI they must: ${howToEnable}.`
  )
}

/** Prints the one line that says the browser tests were left out, just before the count line. */
const browserNotice: Reporter = {
  onFinished() {
    process.stdout.write(`\nBrowser tests NOT run: no Chromium at ${chromiumPath}. To run them, ${howToEnable}.\n`)
  }
}

export default defineConfig({
  test: {
    projects: [
      "packages/*/vitest.config.ts",
      ...(hasChromium ? [] : ["!packages/browser/vitest.config.ts"]),
      "test-support/vitest.config.ts",
      "docs/vitest.config.ts"
    ],
    reporters: ["default", ...(hasChromium ? [] : [browserNotice]), "./vitest.summary.ts"]
  }
})

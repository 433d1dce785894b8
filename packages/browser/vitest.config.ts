import type {} from "@vitest/browser/providers/playwright"
import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// The tests run in a real headless Chromium: Debian's `chromium` package, or the browser at
// CHROMIUM_PATH (Playwright's own browser download does not work here). The root vitest.config.ts
// leaves this project out, saying so, when no Chromium is found.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "browser",
      globalSetup: ["./test/server/globalSetup.ts"],
      browser: {
        enabled: true,
        provider: "playwright",
        headless: true,
        screenshotFailures: false,
        instances: [{
          browser: "chromium",
          launch: {
            executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
            args: [
              "--headless",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync"
            ]
          }
        }]
      }
    }
  })
)

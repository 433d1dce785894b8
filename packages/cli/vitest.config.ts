import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "cli",
      // Backstops, never what a test asserts: the tests run the built CLI as child processes, and
      // a busy machine takes seconds to start each one (the harness kills one after 90 s).
      testTimeout: 180_000,
      hookTimeout: 60_000
    }
  })
)

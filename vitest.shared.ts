import { defineConfig } from "vitest/config"

// Workspace packages export their TypeScript sources under the "source" condition, and their
// builds otherwise (what Node, and published installs, get): tests run the sources. The other
// conditions are Vite's defaults for the browser and for Node.
export default defineConfig({
  resolve: { conditions: ["source", "module", "browser", "development|production"] },
  ssr: { resolve: { conditions: ["source", "module", "node", "development|production"] } },
  test: {
    include: ["test/**/*.test.ts"],
    sequence: { concurrent: false }
  }
})

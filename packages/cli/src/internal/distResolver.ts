/**
 * A Node module resolution hook for running the built CLI inside the effect-kps workspace.
 *
 * In the workspace, each package's `exports` point at its TypeScript sources (`src/*.ts`), so
 * that tests need no build; published packages point at `dist/*.js`. Node cannot run the sources,
 * so this hook sends a workspace module resolved to `…/src/X.ts` to its compiled `…/dist/X.js`.
 * Outside the workspace nothing resolves to a `.ts` file, and the hook changes nothing.
 */
import { existsSync } from "node:fs"
import type { ResolveHook } from "node:module"
import { fileURLToPath } from "node:url"

const source = /^(.*)\/src\/(.+)\.ts$/

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context)
  const match = resolved.url.startsWith("file:") ? source.exec(resolved.url) : null
  if (match === null) return resolved
  const url = `${match[1]}/dist/${match[2]}.js`
  if (!existsSync(fileURLToPath(url))) {
    throw new Error(
      `kps-task: ${fileURLToPath(resolved.url)} is not built (no ${fileURLToPath(url)}): run \`pnpm build\` first`
    )
  }
  return { ...resolved, url, format: "module" }
}

/**
 * The `kps-task` executable: runs `Cli.run` with the process's arguments and exits with its code.
 *
 * @since 0.1.0
 */
// The large third-party module graphs load first, before any resolution hook: a hook sees every
// import resolved after it is registered, and costs a round trip to its thread for each.
import "@effect/cli/Command"
import "@effect/platform-node/NodeContext"
import "effect/Schema"
import { register } from "node:module"

// Inside the effect-kps workspace, sibling packages resolve to their TypeScript sources: run
// their builds instead. Published packages resolve to JavaScript, and need no hook.
if (import.meta.resolve("@effect-kps/core/KpsClient").endsWith(".ts")) {
  register("./internal/distResolver.js", import.meta.url)
}

await import("./internal/main.js")

/**
 * What `@effect/cli` prints itself, made to fit `kps-task`. `@effect/cli` 0.77 styles its help with
 * ANSI escapes wherever it goes, names a subcommand's usage without the commands above it
 * (`$ running …` for `kps-task tasks running`), and prints a usage error as a help document,
 * over several lines; it leaves no hook for any of these but the `Console` service it prints
 * through. So it runs with {@link frameworkConsole}: its help without styles unless stdout is
 * coloured, its usage lines naming the whole command, its usage errors left to `Report`, which
 * prints every error on one line. The commands print through their own console
 * ({@link CommandConsole}).
 */
import * as Command from "@effect/cli/Command"
import * as Arr from "effect/Array"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"

/** The console the commands print on, restored inside their handlers. */
export class CommandConsole extends /* @__PURE__ */ Context.Tag("@effect-kps/cli/internal/CommandConsole")<
  CommandConsole,
  Console.Console
>() {}

/** Runs a command's handler on the commands' console, not `@effect/cli`'s. */
export const onCommandConsole = <A, E, R>(handler: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | CommandConsole> =>
  Effect.flatMap(CommandConsole, (console) => Console.withConsole(handler, console))

/** A command's words on the command line, by its name: `running` → `["kps-task", "tasks", "running"]`. */
export type Paths = ReadonlyMap<string, ReadonlyArray<string>>

/**
 * The paths of a command and of the commands one level below it (`Command.getSubcommands` sees
 * that far), the command itself under `parent`: `kps-task`'s give `get` → `kps-task get`, `tasks`
 * → `kps-task tasks`; `tasks`'s, under `kps-task`, `running` → `kps-task tasks running`.
 */
export const paths = <Name extends string, R, E, A>(
  command: Command.Command<Name, R, E, A>,
  parent: ReadonlyArray<string> = []
): Paths => {
  const path = [...parent, ...Arr.take(HashSet.toValues(Command.getNames(command)), 1)]
  return new Map<string, ReadonlyArray<string>>([
    [path[path.length - 1], path],
    ...Array.from(HashMap.keys(Command.getSubcommands(command)), (name) => [name, [...path, name]] as const)
  ])
}

/** ANSI's SGR escapes (styles and colours), the only ones `@effect/printer-ansi` writes. */
const styles = /\u001b\[[0-9;]*m/g

const usageLine = /^\$ (\S+)/gm

/**
 * A help text, as it is printed: without styles unless `colored`; each usage line (`$ running …`)
 * naming the whole command (`$ kps-task tasks running …`).
 */
export const fit = (text: string, options: { readonly colored: boolean; readonly paths: Paths }): string =>
  (options.colored ? text : text.replace(styles, "")).replace(usageLine, (line, name: string) => {
    const path = options.paths.get(name)
    return path === undefined ? line : `$ ${path.join(" ")}`
  })

/**
 * The console `@effect/cli` prints on: what it logs (help, version, completions) fitted to
 * `kps-task` ({@link fit}); its usage errors not at all, since `Report` prints them, in one line.
 */
export const frameworkConsole = (
  console: Console.Console,
  options: { readonly colored: boolean; readonly paths: Paths }
): Console.Console => ({
  ...console,
  log: (...args) => console.log(...args.map((arg) => typeof arg === "string" ? fit(arg, options) : arg)),
  error: () => Effect.void
})

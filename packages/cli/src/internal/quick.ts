/**
 * The command lines `kps-task` answers without loading its program: `--version` and `--help` (or
 * `-h`) alone. What the program prints for them does not depend on anything but whether stdout is
 * coloured, so it is rendered once, by the program itself, when the executable is built
 * (`scripts/bundle.mjs` runs `QuickRender.render`), and printed as it is: no Effect, no `@effect/cli` to
 * load. Any other command line, these flags among others included, goes to the program.
 */

/** The command lines answered at once, as the arguments after the script. */
export const commandLines: ReadonlyArray<ReadonlyArray<string>> = [["--version"], ["--help"], ["-h"]]

/** What the program printed on stdout for each of {@link commandLines}, by colour. */
export interface Texts {
  readonly plain: ReadonlyArray<string>
  readonly colored: ReadonlyArray<string>
}

/** Whether stdout is coloured, as `Render.colors` decides: a terminal, and `NO_COLOR` unset or empty. */
export const colored = (isTTY: boolean, noColor: string | undefined): boolean =>
  isTTY && (noColor === undefined || noColor === "")

/** What to print for these arguments, if they are one of {@link commandLines}; else `undefined`. */
export const answer = (args: ReadonlyArray<string>, texts: Texts, isColored: boolean): string | undefined => {
  const index = commandLines.findIndex((line) => line.length === args.length && line.every((arg, i) => arg === args[i]))
  return index === -1 ? undefined : (isColored ? texts.colored : texts.plain)[index]
}

// The entry of the bundled `kps-task` executable (scripts/bundle.mjs builds it, with
// `KPS_TASK_QUICK` set to the texts `Quick.render` printed): `--version` and `--help` are printed
// at once, without loading Effect; any other command line loads the program (main.ts).
import * as Quick from "./quick.js"

declare const KPS_TASK_QUICK: Quick.Texts | undefined

const texts = typeof KPS_TASK_QUICK === "undefined" ? undefined : KPS_TASK_QUICK
const answer = texts === undefined ? undefined : Quick.answer(
  process.argv.slice(2),
  texts,
  Quick.colored(process.stdout.isTTY === true, process.env.NO_COLOR)
)

if (answer === undefined) {
  await import("./main.js")
} else {
  process.stdout.write(answer)
}

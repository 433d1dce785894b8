import { describe, expect, it } from "@effect/vitest"
import { existsSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as Quick from "../src/internal/quick.js"
import { assertBuilt, bin, runProgram } from "./support/cli.js"
import { shellQuote, withoutTerminal } from "./support/terminal.js"

/** The program without the executable's quick answers: `src/bin.ts` as tsc built it. */
const program = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/bin.js")

const assertProgramBuilt = () => {
  assertBuilt()
  if (!existsSync(program)) throw new Error(`${program} is missing: run \`pnpm build\` first`)
}

/** Runs a script with node on a pseudo-terminal (util-linux `script`), as a user at a terminal does. */
const onTerminal = (script: string, args: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>>) =>
  runProgram("script", ["-qec", [process.execPath, script, ...args].map(shellQuote).join(" "), "/dev/null"], { env })

const escape = "\u001b["

describe("kps-task --version and --help, answered without loading the program", () => {
  it("answers exactly --version, --help and -h alone; anything else goes to the program", () => {
    const texts: Quick.Texts = { plain: ["v", "help", "h"], colored: ["V", "HELP", "H"] }
    expect(Quick.answer(["--version"], texts, false)).toBe("v")
    expect(Quick.answer(["--help"], texts, true)).toBe("HELP")
    expect(Quick.answer(["-h"], texts, false)).toBe("h")
    for (const args of [[], ["--help", "--json"], ["get", "--help"], ["--version", "get"], ["--Version"], ["-v"]]) {
      expect([args, Quick.answer(args, texts, false)]).toEqual([args, undefined])
    }
  })

  it("colours as the program does: on a terminal, unless NO_COLOR is set to anything but the empty string", () => {
    expect(Quick.colored(true, undefined)).toBe(true)
    expect(Quick.colored(true, "")).toBe(true)
    expect(Quick.colored(true, "1")).toBe(false)
    expect(Quick.colored(false, undefined)).toBe(false)
  })

  describe.concurrent("the executable", () => {
    it.for([["--version"], ["--help"], ["-h"]])("prints for %s what the program prints, into a pipe", async (args) => {
      assertProgramBuilt()
      const [quick, full] = await Promise.all([
        runProgram(process.execPath, [bin, ...args], { env: { NO_COLOR: undefined } }),
        runProgram(process.execPath, [program, ...args], { env: { NO_COLOR: undefined } })
      ])
      expect(full.code).toBe(0)
      expect(full.stdout).toMatch(/0\.1\.0/)
      expect(quick).toEqual(full)
    })

    it.skipIf(withoutTerminal)(
      "prints --help and --version as the program does on a terminal, coloured or not",
      async () => {
        assertProgramBuilt()
        const cases = [
          { args: ["--help"], env: { NO_COLOR: undefined } },
          { args: ["--help"], env: { NO_COLOR: "1" } },
          { args: ["--version"], env: { NO_COLOR: undefined } }
        ]
        const results = await Promise.all(cases.flatMap(({ args, env }) => [
          onTerminal(bin, args, env),
          onTerminal(program, args, env)
        ]))
        cases.forEach((testCase, i) => {
          const [quick, full] = [results[2 * i], results[2 * i + 1]]
          expect([testCase, full.code]).toEqual([testCase, 0])
          expect([testCase, quick]).toEqual([testCase, full])
        })
        // The first case was coloured, the second not: both variants were compared.
        expect(results[0].stdout).toContain(escape)
        expect(results[2].stdout).not.toContain(escape)
      }
    )
  })
})

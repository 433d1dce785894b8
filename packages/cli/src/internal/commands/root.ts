import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Demo from "./demo.js"
import * as Emulator from "./emulator.js"
import * as Get from "./get.js"
import * as Wait from "./wait.js"

const missingCommand = "missing command: give one of get, wait, emulator, demo (see kps-task --help)"

/** `kps-task`: the root command; without a subcommand, a usage error. */
export const command = /* @__PURE__ */ Command.make("kps-task", {}, () =>
  Effect.zipRight(
    Console.error(`kps-task: ${missingCommand}`),
    Effect.fail(ValidationError.missingSubcommand(HelpDoc.p(missingCommand)))
  )).pipe(
    Command.withDescription("Get and wait on Huawei Cloud KPS tasks, run a local KPS emulator, see a demo"),
    Command.withSubcommands([Get.command, Wait.command, Emulator.command, Demo.command])
  )

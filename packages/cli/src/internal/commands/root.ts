import * as Command from "@effect/cli/Command"
import * as Associate from "./associate.js"
import * as Demo from "./demo.js"
import * as Disassociate from "./disassociate.js"
import * as Emulator from "./emulator.js"
import * as Get from "./get.js"
import * as Missing from "./missing.js"
import * as Runner from "./runner.js"
import * as Tasks from "./tasks.js"
import * as Wait from "./wait.js"

/** `kps-task`: the root command; without a subcommand, a usage error. */
export const command = /* @__PURE__ */ Command.make(
  "kps-task",
  {},
  () =>
    Missing.subcommand("kps-task", ["get", "wait", "associate", "disassociate", "tasks", "runner", "emulator", "demo"])
).pipe(
  Command.withDescription(
    "Start, get and wait on Huawei Cloud KPS tasks, list and clean them, run a local KPS emulator, see a demo"
  ),
  Command.withSubcommands([
    Get.command,
    Wait.command,
    Associate.command,
    Disassociate.command,
    Tasks.command,
    Runner.command,
    Emulator.command,
    Demo.command
  ])
)

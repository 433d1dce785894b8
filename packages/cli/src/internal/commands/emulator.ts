import { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as Defaults from "@effect-kps/emulator/Defaults"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as CliOptions from "../options.js"
import * as Signals from "../signals.js"

const accessKeys = (ak: Option.Option<string>, sk: Option.Option<Redacted.Redacted<string>>) => {
  if (Option.isSome(ak) && Option.isSome(sk)) return Effect.succeed({ [ak.value]: sk.value })
  if (Option.isNone(ak) && Option.isNone(sk)) return Effect.succeed(undefined)
  const [given, missing] = Option.isSome(ak) ? ["--ak", "--sk"] : ["--sk", "--ak"]
  return Effect.fail(new KpsInvalidInput({ field: missing, description: `${given} is given but ${missing} is not` }))
}

/**
 * `kps-task emulator`: runs the KPS emulator in the foreground until SIGINT or SIGTERM. Its first
 * line is exactly `listening on http://127.0.0.1:PORT`.
 */
export const command = /* @__PURE__ */ Command.make(
  "emulator",
  {
    port: Options.integer("port").pipe(
      Options.withPseudoName("PORT"),
      Options.withDescription("Port on 127.0.0.1 (default 0: a free port, shown in the first line)"),
      Options.withDefault(0)
    ),
    ak: CliOptions.optional(
      Options.text("ak"),
      "AK",
      `Accepted access key id, with --sk (default ${Defaults.defaultAccessKey})`
    ),
    sk: CliOptions.optional(
      Options.redacted("sk"),
      "SK",
      "Secret key of --ak (default: the documented emulator secret key)"
    ),
    token: CliOptions.optional(
      Options.redacted("token"),
      "TOKEN",
      `Accepted X-Auth-Token (default ${Defaults.defaultToken})`
    ),
    taskDuration: CliOptions.duration("task-duration", { allowZero: true }).pipe(
      Options.withDescription("Time from a new task to SUCCESS_* or FAILED_* (default 3s)"),
      Options.optional
    ),
    failServers: Options.text("fail-server").pipe(
      Options.withPseudoName("SERVER_ID"),
      Options.withDescription("A server id whose tasks end FAILED_* (repeatable)"),
      Options.repeated,
      Options.withDefault([])
    ),
    refuseServers: Options.text("refuse-server").pipe(
      Options.withPseudoName("SERVER_ID"),
      Options.withDescription(
        "A server id KPS starts no task for: 400 EMULATOR.0002, a failed batch item (repeatable)"
      ),
      Options.repeated,
      Options.withDefault([])
    ),
    cors: Options.text("cors").pipe(
      Options.withPseudoName("ORIGIN"),
      Options.withDescription(
        "Let pages from ORIGIN, such as http://localhost:5173 (or * for any), call the emulator from a browser: " +
          "answer their CORS preflights and expose X-Request-Id and Retry-After (repeatable)"
      ),
      Options.repeated,
      Options.withDefault<ReadonlyArray<string>>([])
    )
  },
  ({ ak, cors, failServers, port, refuseServers, sk, taskDuration, token }) =>
    Effect.gen(function*() {
      // The emulator and its HTTP server load when this command runs, not on every start of kps-task.
      const Emulator = yield* Effect.promise(() => import("@effect-kps/emulator/KpsEmulator"))
      const emulator = yield* Emulator.make({
        port,
        accessKeys: yield* accessKeys(ak, sk),
        tokens: Option.match(token, { onNone: () => undefined, onSome: (value) => [Redacted.value(value)] }),
        taskDuration: Option.getOrUndefined(taskDuration),
        failServers,
        refuseServers,
        cors: cors.length === 0 ? undefined : cors.includes("*") ? "*" : cors
      })
      yield* Console.log(`listening on ${emulator.url}`)
      const duration = Option.getOrElse(taskDuration, () => Duration.seconds(3))
      yield* Console.log(
        `project id: any 32 hex characters, such as ${Defaults.defaultProjectId}; ` +
          `credentials: ${Option.isSome(token) ? "the --token value" : "the default token"} or access key ` +
          `${Option.getOrElse(ak, () => Defaults.defaultAccessKey)}; tasks end after ${Duration.format(duration)}`
      )
      if (cors.length > 0) {
        yield* Console.log(`browser pages allowed (CORS): ${cors.includes("*") ? "from any origin" : cors.join(", ")}`)
      }
      yield* Console.log("stop with Ctrl-C")
      // Stopping is how the emulator ends: a signal exits 0.
      yield* Signals.stopIsNormal
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Run the KPS emulator in the foreground until interrupted"))

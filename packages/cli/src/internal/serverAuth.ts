import type * as KeypairAssociation from "@effect-kps/core/KeypairAssociation"
import { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as Options from "@effect/cli/Options"
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Environment from "./environment.js"
import * as CliOptions from "./options.js"
import { safe } from "./render.js"

/** Where the server's login secret may come from on the command line. */
export interface Files {
  readonly passwordFile: Option.Option<string>
  readonly privateKeyFile: Option.Option<string>
}

/** The variables read when no file is given. */
export const variables = { password: "KPS_SERVER_PASSWORD", privateKey: "KPS_SERVER_PRIVATE_KEY" } as const

/**
 * `--password-file` and `--private-key-file`: secrets are read from files (or the environment),
 * never taken as a flag's value, which `ps` and shell history would show.
 */
export const options: Options.Options<Files> = /* @__PURE__ */ Options.all({
  // Text, not `Options.file`: that refuses what is not a regular file, such as the pipe of
  // `--password-file <(pass show server)` or `/dev/stdin`.
  passwordFile: CliOptions.optional(
    Options.text("password-file"),
    "FILE",
    `Log in to the server with the root password in FILE (one trailing line break dropped; default: ${variables.password})`
  ),
  privateKeyFile: CliOptions.optional(
    Options.text("private-key-file"),
    "FILE",
    `Log in to the server with the private key in FILE, of the key pair bound now (default: ${variables.privateKey})`
  )
})

/** More than any password or private key: a bound on what a mistaken path (a device, a log) costs. */
const maxFileBytes = 64 * 1024

const problem = (field: string, description: string) => new KpsInvalidInput({ field, description })

const readFailure = (error: PlatformError.PlatformError): string => {
  if (error._tag === "SystemError") {
    switch (error.reason) {
      case "NotFound":
        return "no such file"
      case "PermissionDenied":
        return "permission denied"
      default:
        return error.description ?? error.reason
    }
  }
  return error.description ?? "bad argument"
}

const kinds: Readonly<Record<FileSystem.File.Type, string>> = {
  File: "a file",
  FIFO: "a pipe",
  Directory: "a directory",
  SymbolicLink: "a symbolic link",
  BlockDevice: "a device",
  CharacterDevice: "a device",
  Socket: "a socket",
  Unknown: "of an unknown kind"
}

/**
 * The contents of a secret file, `Redacted` as soon as they are read. A regular file or a pipe
 * (`<(pass show server)`, `/dev/stdin` from a pipe): the platform's streams read at positions,
 * which a pipe refuses, so the file is read whole, once its size is known to be small (a pipe's
 * is checked once read). Anything else (a directory, a device such as `/dev/zero`), a file that
 * cannot be read or is larger than any secret, is a usage error naming the flag and the path,
 * never the contents.
 */
const readSecret = (
  flag: string,
  path: string
): Effect.Effect<Redacted.Redacted<string>, KpsInvalidInput, FileSystem.FileSystem> => {
  const tooLarge = problem(flag, `${safe(path)} is larger than ${maxFileBytes / 1024} KiB: not a secret`)
  const unreadable = (error: PlatformError.PlatformError) =>
    problem(flag, `cannot read ${safe(path)}: ${readFailure(error)}`)
  return Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path)
    if (info.type !== "File" && info.type !== "FIFO") {
      return yield* problem(flag, `${safe(path)} is ${kinds[info.type]}, not a file or a pipe`)
    }
    if (Number(info.size) > maxFileBytes) return yield* tooLarge
    const bytes = yield* fs.readFile(path)
    if (bytes.length > maxFileBytes) return yield* tooLarge
    return Redacted.make(new TextDecoder().decode(bytes))
  }).pipe(
    Effect.catchTags({ SystemError: unreadable, BadArgument: unreadable })
  )
}

/** A password file's trailing line break (`echo secret > file` writes one) is not the password's. */
const withoutLineBreak = (secret: Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.make(Redacted.value(secret).replace(/\r?\n$/, ""))

const login = (
  type: KeypairAssociation.ServerAuth["type"],
  key: Redacted.Redacted<string>
): KeypairAssociation.ServerAuth => ({ type, key })

/**
 * How KPS logs in to the server, when the command line says: the password of `--password-file`,
 * the private key of `--private-key-file`, or, when neither flag is given, `KPS_SERVER_PASSWORD` or
 * `KPS_SERVER_PRIVATE_KEY`; `undefined` when none is. A password and a key both given is a usage
 * error. The secret stays `Redacted` all along.
 */
export const read = (
  files: Files
): Effect.Effect<
  KeypairAssociation.ServerAuth | undefined,
  KpsInvalidInput | ConfigError.ConfigError,
  FileSystem.FileSystem
> => {
  const { passwordFile, privateKeyFile } = files
  if (Option.isSome(passwordFile) && Option.isSome(privateKeyFile)) {
    return Effect.fail(problem("server login", "give --password-file or --private-key-file, not both"))
  }
  if (Option.isSome(passwordFile)) {
    return Effect.map(
      readSecret("--password-file", passwordFile.value),
      (key) => login("password", withoutLineBreak(key))
    )
  }
  if (Option.isSome(privateKeyFile)) {
    return Effect.map(readSecret("--private-key-file", privateKeyFile.value), (key) => login("keypair", key))
  }
  return Effect.flatMap(
    Config.all([Environment.optionalSecret(variables.password), Environment.optionalSecret(variables.privateKey)]),
    ([password, privateKey]) => {
      if (Option.isSome(password) && Option.isSome(privateKey)) {
        return Effect.fail(problem("server login", `set ${variables.password} or ${variables.privateKey}, not both`))
      }
      return Effect.succeed(
        Option.isSome(password)
          ? login("password", password.value)
          : Option.isSome(privateKey)
          ? login("keypair", privateKey.value)
          : undefined
      )
    }
  )
}

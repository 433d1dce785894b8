import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A server password: it goes on the wire, and must show nowhere else. */
export const password = "server-pa55word-N0T-PR1NTED"

/** A private key (its PEM shape, not a real key): on the wire verbatim, nowhere else. */
export const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\n" +
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ-N0T-PR1NTED\n" +
  "-----END OPENSSH PRIVATE KEY-----\n"

/** The secrets of these tests, none of which may appear in what a command prints. */
export const all = [password, privateKey.split("\n")[1]] as const

/** Files holding the secrets, and files that cannot serve as one, in a fresh directory. */
export interface SecretFiles {
  /** The password and a trailing line break, as `echo` writes it. */
  readonly password: string
  readonly privateKey: string
  readonly empty: string
  /** Larger than any secret. */
  readonly large: string
  readonly missing: string
  readonly directory: string
  readonly remove: () => void
}

export const makeSecretFiles = (): SecretFiles => {
  const dir = mkdtempSync(join(tmpdir(), "kps-task-secrets-"))
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(dir, name)
    writeFileSync(path, content, { mode: 0o600 })
    return path
  }
  const directory = join(dir, "a-directory")
  mkdirSync(directory)
  return {
    password: file("password", `${password}\n`),
    privateKey: file("id_kps", privateKey),
    empty: file("empty", ""),
    large: file("large", new Uint8Array(70 * 1024).fill(0x61)),
    missing: join(dir, "no-such-file"),
    directory,
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}

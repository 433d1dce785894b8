import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, type Result, run } from "./support/cli.js"
import { projectId, tripwire } from "./support/emulator.js"
import { runHere } from "./support/inProcess.js"
import * as Secrets from "./support/secrets.js"

// Every value that can be checked before sending is checked before sending: a malformed one exits
// 3, and the server it would have gone to (a tripwire counting requests) hears nothing. Every case
// runs in the test process; the executable runs a sample of them.
beforeAll(assertBuilt)

const files = Secrets.makeSecretFiles()
afterAll(() => files.remove())

interface Example {
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
  readonly message: RegExp
  /** Run by the executable too. */
  readonly executable?: boolean
}

const endpoint = ["--endpoint", "URL"]
const token = ["--token", "t0ken"]
const project = ["--project-id", projectId]
const accessKeyEnv = { HUAWEICLOUD_SDK_AK: "AK0000000000000001", HUAWEICLOUD_SDK_SK: "sk-S3CR3T" }
const regionEnv = { HUAWEICLOUD_SDK_REGION: "cn-north-4", HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4: "URL" }

const connection = [...endpoint, ...token, ...project]
const startCommands: ReadonlyArray<ReadonlyArray<string>> = [
  ["associate", "--keypair", "kp", "--server", "server-1"],
  ["disassociate", "--server", "server-1"]
]

const examples: ReadonlyArray<Example> = [
  // Project ids: 32 hex characters, from the flag or the environment.
  ...["xyz", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg"]
    .flatMap((id): ReadonlyArray<Example> => [
      {
        name: `--project-id ${id}`,
        args: ["get", "t-1", ...endpoint, ...token, "--project-id", id],
        message: /--project-id: .* is not a project id/,
        executable: id === "xyz"
      },
      {
        name: `HUAWEICLOUD_SDK_PROJECT_ID=${id}, with a token`,
        args: ["wait", "t-1", ...endpoint],
        env: { KPS_TOKEN: "t0ken", HUAWEICLOUD_SDK_PROJECT_ID: id },
        message: /HUAWEICLOUD_SDK_PROJECT_ID.* is not a project id/,
        executable: id === "xyz"
      }
    ]),
  {
    name: "HUAWEICLOUD_SDK_PROJECT_ID malformed, with access keys",
    args: ["get", "t-1"],
    env: { ...accessKeyEnv, ...regionEnv, HUAWEICLOUD_SDK_PROJECT_ID: "../projects" },
    message: /HUAWEICLOUD_SDK_PROJECT_ID.* is not a project id/
  },
  {
    name: "--project-id empty",
    args: ["get", "t-1", ...endpoint, ...token, "--project-id", ""],
    message: /--project-id: .* is not a project id/
  },
  // Task ids.
  ...["", "a/b", "..", "a b", "a?b", "a#b", "%2e%2e", "a\u0007b", "x".repeat(129)].map((id): Example => ({
    name: `get ${JSON.stringify(id)}`,
    args: ["get", id, ...endpoint, ...token, ...project],
    message: /^kps-task: Invalid <task-id>: /
  })),
  ...["", "a/b"].map((id): Example => ({
    name: `wait ${JSON.stringify(id)}`,
    args: ["wait", id, ...endpoint, ...token, ...project],
    message: /^kps-task: Invalid <task-id>: /,
    executable: id === "a/b"
  })),
  {
    name: "a malformed task id, with access keys and a project id to look up",
    args: ["get", "a/b"],
    env: { ...accessKeyEnv, ...regionEnv, HUAWEICLOUD_SDK_IAM_ENDPOINT: "URL" },
    message: /^kps-task: Invalid <task-id>: /
  },
  // Endpoints, from the flag or the environment.
  ...["URL/?x=1", "URL/#x", "ftp://127.0.0.1:1", "http://user:pw@127.0.0.1:1", "127.0.0.1:1", "http://"]
    .map((url): Example => ({
      name: `--endpoint ${url}`,
      args: ["get", "t-1", "--endpoint", url, ...token, ...project],
      message: /^kps-task: Invalid --endpoint \(or HUAWEICLOUD_SDK_REGION_KPS_<REGION>\): /
    })),
  {
    name: "HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4 malformed",
    args: ["get", "t-1", ...token, ...project],
    env: { ...regionEnv, HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4: "URL?x=1" },
    message: /^kps-task: Invalid --endpoint \(or HUAWEICLOUD_SDK_REGION_KPS_<REGION>\): /,
    executable: true
  },
  {
    name: "HUAWEICLOUD_SDK_IAM_ENDPOINT malformed, with a project id to look up",
    args: ["get", "t-1"],
    env: { ...accessKeyEnv, ...regionEnv, HUAWEICLOUD_SDK_IAM_ENDPOINT: "URL?x=1" },
    message: /^kps-task: Invalid HUAWEICLOUD_SDK_IAM_ENDPOINT: /
  },
  // Regions, from the flag or the environment.
  {
    name: "--region mars-1",
    args: ["get", "t-1", "--region", "mars-1", ...token, ...project],
    message: /^kps-task: Invalid --region \(or HUAWEICLOUD_SDK_REGION\): unknown region "mars-1"/
  },
  {
    name: "HUAWEICLOUD_SDK_REGION=mars-1",
    args: ["get", "t-1", ...token, ...project],
    env: { HUAWEICLOUD_SDK_REGION: "mars-1" },
    message: /^kps-task: Invalid --region \(or HUAWEICLOUD_SDK_REGION\): unknown region "mars-1"/
  },
  // Durations.
  ...[
    ["--timeout", "0"],
    ["--timeout", "0ms"],
    ["--timeout", "-1s"],
    ["--timeout", "soon"],
    ["--interval", "0"],
    ["--interval", "0.0s"],
    ["--interval", "0 seconds"],
    ["--interval", "1e3s"]
  ].map(([flag, text]): Example => ({
    name: `${flag} ${text}`,
    args: ["wait", "t-1", ...endpoint, ...token, ...project, flag, text],
    message: new RegExp(`^kps-task: ${flag}: "${text}" is`),
    executable: text === "0"
  })),
  // Credentials.
  {
    name: "--token with a space",
    args: ["get", "t-1", ...endpoint, ...project, "--token", "t0 ken"],
    message: /^kps-task: Invalid --token \(or KPS_TOKEN\): must contain only visible ASCII/
  },
  {
    name: "KPS_TOKEN with a line break",
    args: ["get", "t-1", ...endpoint, ...project],
    env: { KPS_TOKEN: "t0\nken" },
    message: /^kps-task: Invalid --token \(or KPS_TOKEN\): must contain only visible ASCII/
  },
  {
    name: "--ak with a space",
    args: ["get", "t-1", ...endpoint, ...project, "--ak", "A K", "--sk", "sk"],
    message: /^kps-task: Invalid --ak \(or HUAWEICLOUD_SDK_AK, CLOUD_SDK_AK\): /
  },
  {
    name: "HUAWEICLOUD_SDK_SECURITY_TOKEN with a space",
    args: ["get", "t-1", ...endpoint, ...project],
    env: { ...accessKeyEnv, HUAWEICLOUD_SDK_SECURITY_TOKEN: "security token" },
    message: /^kps-task: Invalid HUAWEICLOUD_SDK_SECURITY_TOKEN: /
  },
  { name: "--ak without --sk", args: ["get", "t-1", ...endpoint, ...project, "--ak", "AK"], message: /--sk/ },
  {
    name: "--token with --ak and --sk",
    args: ["get", "t-1", ...endpoint, ...project, ...token, "--ak", "AK", "--sk", "sk"],
    message: /not both/
  },
  // Several task ids: each is checked as one is.
  {
    name: "wait with several malformed task ids",
    args: ["wait", "", "a/b", ...endpoint, ...token, ...project],
    message: /^kps-task: Invalid <task-id>: /
  },
  // Starting tasks: the request, and the server's login secret, from a file or the environment.
  ...startCommands.flatMap((command): ReadonlyArray<Example> => [
    {
      name: `${command[0]}: --password-file with --private-key-file`,
      args: [...command, "--password-file", files.password, "--private-key-file", files.privateKey, ...connection],
      message: /^kps-task: Invalid server login: give --password-file or --private-key-file, not both$/m,
      executable: command[0] === "associate"
    },
    {
      name: `${command[0]}: KPS_SERVER_PASSWORD with KPS_SERVER_PRIVATE_KEY`,
      args: [...command, ...connection],
      env: { KPS_SERVER_PASSWORD: Secrets.password, KPS_SERVER_PRIVATE_KEY: Secrets.privateKey },
      message: /^kps-task: Invalid server login: set KPS_SERVER_PASSWORD or KPS_SERVER_PRIVATE_KEY, not both$/m
    },
    {
      name: `${command[0]}: --password-file that does not exist`,
      args: [...command, "--password-file", files.missing, ...connection],
      message: new RegExp(`^kps-task: Invalid --password-file: cannot read ${files.missing}: no such file$`, "m"),
      executable: command[0] === "disassociate"
    },
    {
      name: `${command[0]}: --private-key-file that is a directory`,
      args: [...command, "--private-key-file", files.directory, ...connection],
      message: /^kps-task: Invalid --private-key-file: .* is a directory, not a file or a pipe$/m
    },
    {
      name: `${command[0]}: --password-file that is a device`,
      args: [...command, "--password-file", "/dev/zero", ...connection],
      message: /^kps-task: Invalid --password-file: \/dev\/zero is a device, not a file or a pipe$/m
    },
    {
      name: `${command[0]}: --private-key-file larger than any key`,
      args: [...command, "--private-key-file", files.large, ...connection],
      message: /^kps-task: Invalid --private-key-file: .* is larger than 64 KiB: not a secret$/m
    },
    {
      name: `${command[0]}: --password-file that is empty`,
      args: [...command, "--password-file", files.empty, ...connection],
      message: /^kps-task: Invalid server login \(--password-file, --private-key-file, .*\): must not be empty$/m
    },
    {
      name: `${command[0]}: --timeout without --wait`,
      args: [...command, "--password-file", files.password, "--timeout", "5s", ...connection],
      message: /^kps-task: Invalid --timeout: only means something with --wait$/m
    },
    {
      name: `${command[0]}: --server with a slash`,
      args: [...command.map((arg) => arg === "server-1" ? "server/1" : arg), ...connection],
      message: /^kps-task: Invalid --server: /
    }
  ]),
  {
    name: "associate: a key pair name longer than 64 characters",
    args: ["associate", "--keypair", "k".repeat(65), "--server", "server-1", ...connection],
    message: /^kps-task: Invalid --keypair: must be at most 64 characters$/m
  },
  {
    name: "associate: --port 70000",
    args: ["associate", "--keypair", "kp", "--server", "server-1", "--port", "70000", ...connection],
    env: { KPS_SERVER_PASSWORD: Secrets.password },
    message: /^kps-task: Invalid --port: must be a whole number from 1 to 65535$/m
  },
  {
    name: "associate without --keypair",
    args: ["associate", "--server", "server-1", ...connection],
    message: /^kps-task: Expected to find option: '--keypair'$/m
  }
]

/** What `KpsClient`'s options are called, and how its errors quote them. */
const libraryNames =
  /`|\b(projectId|taskId|keypairName|server\.(id|port|auth)|credentials\.\w+|accessKeyId|securityToken|iamEndpoint|pageSize)\b/

const exitsBeforeSending = (
  runner: (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>) => Promise<Result>
) =>
async (example: Example, { onTestFinished }: { readonly onTestFinished: (f: () => Promise<void>) => void }) => {
  const server = await tripwire()
  onTestFinished(() => server.close())
  // `URL` in an argument or a variable stands for the tripwire's address.
  const at = (text: string) => text.replaceAll("URL", server.url)
  const result = await runner(
    example.args.map(at),
    Object.fromEntries(Object.entries(example.env ?? {}).map(([name, value]) => [name, at(value)]))
  )
  expect(result.code, result.stderr).toBe(3)
  expect(result.stderr).toMatch(example.message)
  // One line, in the command line's words: flags and variables, not the library's option names.
  expect(result.stderr).toMatch(/^kps-task: [^\n]+\n$/)
  expect(result.stderr).not.toMatch(libraryNames)
  expect(result.stdout).toBe("")
  expect(server.requests()).toBe(0)
  for (const secret of Secrets.all) expect(result.stdout + result.stderr).not.toContain(secret)
}

describe("kps-task exits 3 on malformed input, before sending anything", () => {
  it.for(examples)("$name", exitsBeforeSending(runHere))
})

describe.concurrent("the kps-task executable exits 3 on malformed input, before sending anything", () => {
  it.for(examples.filter((example) => example.executable === true))(
    "$name",
    exitsBeforeSending((args, env) => run(args, { env }))
  )
})

const emulatorExamples = [
  { args: ["--port", "70000"], executable: true },
  { args: ["--port", "-1"] },
  { args: ["--port", "http"] },
  { args: ["--task-duration", "-1s"] },
  { args: ["--task-duration", "soon"] },
  { args: ["--ak", "AK"] },
  { args: ["--sk", "sk"] },
  { args: ["--ak", "A,K", "--sk", "sk"] },
  { args: ["--token", "t0 ken"] }
]

const exitsBeforeListening =
  (runner: (args: ReadonlyArray<string>) => Promise<Result>) =>
  async ({ args }: { readonly args: ReadonlyArray<string> }) => {
    const result = await runner(["emulator", ...args])
    expect(result.code, result.stderr).toBe(3)
    expect(result.stderr).toMatch(/^kps-task: [^\n]+\n$/)
    expect(result.stdout).not.toContain("listening on")
  }

describe("kps-task emulator exits 3 on malformed options, before listening", () => {
  it.for(emulatorExamples)("kps-task emulator $args", exitsBeforeListening(runHere))
  it.for(emulatorExamples.filter((example) => example.executable === true))(
    "the executable: kps-task emulator $args",
    exitsBeforeListening(run)
  )
})

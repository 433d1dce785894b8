import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { assertBuilt, bin, type Result, run, type Running, spawnProgram, start } from "./support/cli.js"
import { type InProcess, projectId, recorder, startInProcess } from "./support/emulator.js"
import { runHere } from "./support/inProcess.js"
import * as Secrets from "./support/secrets.js"
import { shellQuote } from "./support/terminal.js"

// associate and disassociate go through KpsClient to the emulator, over real sockets, with a token
// or signed with access keys; the server's login secret comes from a file or the environment and
// shows nowhere but on the wire. Each test has its own emulator, whose clock only it moves.
const token = "associate-token-S3CR3T"
const ak = "ASSOCIATEACCESSKEY01"
const sk = "associate-secret-key-S3CR3T"

beforeAll(assertBuilt)

const files = Secrets.makeSecretFiles()
afterAll(() => files.remove())

const emulatorFor = async (onTestFinished: (listener: () => Promise<void>) => void): Promise<InProcess> => {
  const emulator = await startInProcess({
    tokens: [token],
    accessKeys: { [ak]: sk },
    readyDuration: "1 second",
    taskDuration: "2 seconds",
    failServers: ["server-fails"]
  })
  onTestFinished(() => emulator.close())
  return emulator
}

const withToken = (url: string) => ["--endpoint", url, "--project-id", projectId, "--token", token]
const withKeys = (url: string) => ["--endpoint", url, "--project-id", projectId, "--ak", ak, "--sk", sk]

/** Neither the server's secret nor the credentials show in what a command printed. */
const expectNoSecret = (...results: ReadonlyArray<Result>) => {
  for (const { stderr, stdout } of results) {
    for (const secret of [...Secrets.all, token, sk]) expect(stdout + stderr).not.toContain(secret)
  }
}

/** Moves the task READY → RUNNING → its end, each step once the CLI has shown the one before. */
const stepThrough = async (emulator: InProcess, waiting: Running, suffix: string) => {
  await waiting.until(new RegExp(`READY_${suffix}`))
  await emulator.advance("1 second")
  await waiting.until(new RegExp(`RUNNING_${suffix}`))
  await emulator.advance("1 second")
  return waiting.ended
}

describe.concurrent("kps-task associate and disassociate", () => {
  it("print the task started: its id, or with --json the wire {task_id, server_id}", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const [associated, json, disassociated] = await Promise.all([
      run(
        [
          "associate",
          "--keypair",
          "kp-1",
          "--server",
          "server-1",
          "--password-file",
          files.password,
          ...withToken(emulator.url)
        ]
      ),
      // Signed with access keys from the environment; the private key from the environment too.
      run(["associate", "--keypair", "kp-2", "--server", "server-2", "--json", "--endpoint", emulator.url], {
        env: {
          HUAWEICLOUD_SDK_AK: ak,
          HUAWEICLOUD_SDK_SK: sk,
          HUAWEICLOUD_SDK_PROJECT_ID: projectId,
          KPS_SERVER_PRIVATE_KEY: Secrets.privateKey
        }
      }),
      run(["disassociate", "--server", "server-3", ...withKeys(emulator.url)])
    ])
    for (const result of [associated, json, disassociated]) {
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toBe("")
    }
    expectNoSecret(associated, json, disassociated)

    const tasks = [associated.stdout.trim(), JSON.parse(json.stdout).task_id, disassociated.stdout.trim()]
    expect(associated.stdout).toMatch(/^\S+\n$/)
    expect(JSON.parse(json.stdout)).toEqual({ task_id: tasks[1], server_id: "server-2" })
    // The emulator started each task, for the server and key pair given.
    const stored = await Promise.all(tasks.map((id) => emulator.run(emulator.store.get(projectId, id))))
    expect(stored.map(Option.map((task) => [task.operation, task.serverId, task.keypairName]))).toEqual([
      Option.some(["associate", "server-1", "kp-1"]),
      Option.some(["associate", "server-2", "kp-2"]),
      Option.some(["disassociate", "server-3", undefined])
    ])
  })

  it("associate --wait exits 0 once the task succeeds, showing it as wait does", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const waiting = start(
      [
        "associate",
        "--keypair",
        "kp-1",
        "--server",
        "server-ok",
        "--password-file",
        files.password,
        "--wait",
        "--interval",
        "100ms",
        ...withToken(emulator.url)
      ]
    )
    const result = await stepThrough(emulator, waiting, "RESET")
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe("")
    const [first, ...lines] = result.stdout.trim().split("\n")
    expect(first).toMatch(/^started task \S+ on server server-ok$/)
    expect(lines.map((line) => line.split(" ")[0])).toEqual(["READY_RESET", "RUNNING_RESET", "SUCCESS_RESET"])
    expectNoSecret(result)
  })

  it("associate --wait exits 1 when the task fails", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const waiting = start(
      [
        "associate",
        "--keypair",
        "kp-1",
        "--server",
        "server-fails",
        "--wait",
        "--interval",
        "100ms",
        ...withToken(emulator.url)
      ],
      { env: { KPS_SERVER_PASSWORD: Secrets.password } }
    )
    const result = await stepThrough(emulator, waiting, "RESET")
    expect(result.code).toBe(1)
    const taskId = /^started task (\S+)/.exec(result.stdout)![1]
    expect(result.stdout.trim().split("\n").at(-1)).toMatch(/^FAILED_RESET \(failed\)/)
    expect(result.stderr).toBe(`kps-task: Task ${taskId} ended as FAILED_RESET\n`)
    expectNoSecret(result)
  })

  it("disassociate --wait --json writes the task started, then its progress, signed with AK/SK", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const waiting = start([
      "disassociate",
      "--server",
      "server-1",
      "--private-key-file",
      files.privateKey,
      "--wait",
      "--json",
      "--interval",
      "100ms",
      ...withKeys(emulator.url)
    ])
    const result = await stepThrough(emulator, waiting, "UNBIND")
    expect(result.code, result.stderr).toBe(0)
    const [started, ...records] = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
    expect(started).toEqual({ event: "started", task_id: expect.any(String), server_id: "server-1" })
    for (const record of records) expect(record).toMatchObject({ task_id: started.task_id, operation: "unbind" })
    expect(records.map((record) => record.task_status)).toEqual(["READY_UNBIND", "RUNNING_UNBIND", "SUCCESS_UNBIND"])
    expectNoSecret(result)
  })

  it("exits 4 on a rejected token, printing neither the token nor the password", async ({ onTestFinished }) => {
    const emulator = await emulatorFor(onTestFinished)
    const wrong = "wrong-token-N0T-PR1NTED"
    const result = await run([
      "associate",
      "--keypair",
      "kp-1",
      "--server",
      "server-1",
      "--password-file",
      files.password,
      "--wait",
      "--endpoint",
      emulator.url,
      "--project-id",
      projectId,
      "--token",
      wrong
    ])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^kps-task: KPS answered HTTP 401 APIG\.0301: .* \(request id \S+\)\n$/)
    expect(result.stdout).toBe("")
    expect(result.stdout + result.stderr).not.toContain(wrong)
    expectNoSecret(result)
    expect(await emulator.run(emulator.store.list(projectId))).toEqual([])
  })
})

// What goes on the wire, seen by a server that records it: the secret in `auth.key`, verbatim
// but for a password file's trailing line break; the options only when given.
interface WireCase {
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
  readonly path: string
  readonly body: unknown
}

const wireCases: ReadonlyArray<WireCase> = [
  {
    name: "associate --password-file --disable-password --port",
    args: [
      "associate",
      "--keypair",
      "kp-1",
      "--server",
      "server-1",
      "--password-file",
      files.password,
      "--disable-password",
      "--port",
      "2222"
    ],
    path: "keypairs/associate",
    body: {
      keypair_name: "kp-1",
      server: { id: "server-1", auth: { type: "password", key: Secrets.password }, disable_password: true, port: 2222 }
    }
  },
  {
    name: "associate --private-key-file",
    args: ["associate", "--keypair", "kp-1", "--server", "server-1", "--private-key-file", files.privateKey],
    path: "keypairs/associate",
    body: { keypair_name: "kp-1", server: { id: "server-1", auth: { type: "keypair", key: Secrets.privateKey } } }
  },
  {
    name: "associate with KPS_SERVER_PASSWORD",
    args: ["associate", "--keypair", "kp-1", "--server", "server-1"],
    env: { KPS_SERVER_PASSWORD: Secrets.password },
    path: "keypairs/associate",
    body: { keypair_name: "kp-1", server: { id: "server-1", auth: { type: "password", key: Secrets.password } } }
  },
  {
    name: "associate with no secret",
    args: ["associate", "--keypair", "kp-1", "--server", "server-1"],
    path: "keypairs/associate",
    body: { keypair_name: "kp-1", server: { id: "server-1" } }
  },
  {
    name: "disassociate with KPS_SERVER_PRIVATE_KEY",
    args: ["disassociate", "--server", "server-1"],
    env: { KPS_SERVER_PRIVATE_KEY: Secrets.privateKey },
    path: "keypairs/disassociate",
    body: { server: { id: "server-1", auth: { type: "keypair", key: Secrets.privateKey } } }
  },
  {
    name: "disassociate --password-file, which wins over KPS_SERVER_PRIVATE_KEY",
    args: ["disassociate", "--server", "server-1", "--password-file", files.password],
    env: { KPS_SERVER_PRIVATE_KEY: Secrets.privateKey },
    path: "keypairs/disassociate",
    body: { server: { id: "server-1", auth: { type: "password", key: Secrets.password } } }
  }
]

const sendsOnce =
  (runner: (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>) => Promise<Result>) =>
  async (example: WireCase, { onTestFinished }: { readonly onTestFinished: (f: () => Promise<void>) => void }) => {
    const server = await recorder()
    onTestFinished(() => server.close())
    const result = await runner(
      [...example.args, "--endpoint", server.url, "--project-id", projectId, "--token", token],
      example.env ?? {}
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe("recorded-task-1\n")
    const requests = server.requests()
    expect(requests).toHaveLength(1)
    expect(requests[0].method).toBe("POST")
    expect(requests[0].url).toBe(`/v3/${projectId}/${example.path}`)
    expect(JSON.parse(requests[0].body)).toEqual(example.body)
    expectNoSecret(result)
  }

describe("kps-task associate and disassociate send the request asked for, the secret only on the wire", () => {
  it.for(wireCases)("$name", sendsOnce((args, env) => runHere(args, env)))
  it.for(wireCases.slice(0, 1))("the executable: $name", sendsOnce((args, env) => run(args, { env })))

  it("the executable reads a password from a pipe: --password-file /dev/stdin", async ({ onTestFinished }) => {
    const server = await recorder()
    onTestFinished(() => server.close())
    // A shell's pipe (Node gives its children sockets, not pipes); the password reaches the shell
    // in its environment, not its arguments.
    const command = [
      process.execPath,
      bin,
      "disassociate",
      "--server",
      "server-1",
      "--password-file",
      "/dev/stdin",
      "--endpoint",
      server.url,
      "--project-id",
      projectId,
      "--token",
      token
    ].map(shellQuote).join(" ")
    const running = spawnProgram("/bin/sh", ["-c", `printf '%s\\n' "$SERVER_PASSWORD" | ${command}`], {
      env: { SERVER_PASSWORD: Secrets.password }
    })
    const result = await running.ended
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe("recorded-task-1\n")
    expect(server.requests().map((request) => JSON.parse(request.body))).toEqual([
      { server: { id: "server-1", auth: { type: "password", key: Secrets.password } } }
    ])
    expectNoSecret(result)
  })
})

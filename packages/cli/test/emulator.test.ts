import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { assertBuilt, firstLine, run, type Running, start } from "./support/cli.js"
import { closedPort, projectId } from "./support/emulator.js"

beforeAll(assertBuilt)

const token = "emulator-flag-token-S3CR3T"
const ak = "CLITESTACCESSKEY0001"
const sk = "cli-test-secret-key-S3CR3T"
const running: Array<Running> = []

afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.stop("SIGKILL").catch(() => {})))
})

/** Starts `kps-task emulator`, and answers it with the first line it printed. */
const startEmulator = async (args: ReadonlyArray<string>) => {
  const emulator = start(["emulator", ...args])
  running.push(emulator)
  return { emulator, line: await firstLine(emulator) }
}

const urlOf = (line: string) => line.replace("listening on ", "")

describe.concurrent("kps-task emulator", () => {
  it("prints the listening line first, serves, and exits 0 on SIGTERM", async () => {
    const { emulator, line } = await startEmulator([
      "--port",
      "0",
      "--token",
      token,
      "--ak",
      ak,
      "--sk",
      sk,
      "--refuse-server",
      "s-refused"
    ])
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/)
    const url = urlOf(line)
    expect(Number(new URL(url).port)).toBeGreaterThan(0)

    // It serves: `kps-task associate` starts a task with the given token, `kps-task get` reads it back.
    const created = await run([
      "associate",
      "--keypair",
      "kp",
      "--server",
      "s-1",
      "--endpoint",
      url,
      "--project-id",
      projectId,
      "--token",
      token,
      "--json"
    ])
    expect(created.code, created.stderr).toBe(0)
    const { task_id } = JSON.parse(created.stdout) as { task_id: string }

    const withToken = await run([
      "get",
      task_id,
      "--endpoint",
      url,
      "--project-id",
      projectId,
      "--token",
      token,
      "--json"
    ])
    expect(withToken.code).toBe(0)
    expect(JSON.parse(withToken.stdout)).toMatchObject({ task_id, server_id: "s-1" })

    const withKey = await run(["get", task_id, "--endpoint", url, "--project-id", projectId, "--ak", ak, "--sk", sk])
    expect(withKey.code).toBe(0)
    expect(withKey.stdout).toContain(task_id)

    // The default token is not accepted when another is given.
    const defaultToken = await run([
      "get",
      task_id,
      "--endpoint",
      url,
      "--project-id",
      projectId,
      "--token",
      "emulator-token"
    ])
    expect(defaultToken.code).toBe(4)
    expect(defaultToken.stderr).toMatch(/HTTP 401 .*\(request id \S+\)/)

    // A server it was told to refuse gets no task.
    const refused = await run([
      "disassociate",
      "--server",
      "s-refused",
      "--endpoint",
      url,
      "--project-id",
      projectId,
      "--ak",
      ak,
      "--sk",
      sk
    ])
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain("HTTP 400 EMULATOR.0002")

    const ended = await emulator.stop("SIGTERM")
    expect(ended.code).toBe(0)
    const output =
      `${ended.stdout}${ended.stderr}${created.stdout}${created.stderr}${withToken.stdout}${withToken.stderr}${withKey.stderr}`
    expect(output).not.toContain(token)
    expect(output).not.toContain(sk)
  })

  it("listens on the port it is given, with the documented defaults, and exits 0 on SIGINT", async () => {
    const port = await closedPort()
    const { emulator, line } = await startEmulator(["--port", String(port)])
    expect(line).toBe(`listening on http://127.0.0.1:${port}`)
    const answer = await fetch(`http://127.0.0.1:${port}/v3/${projectId}/tasks/nope`, {
      headers: { "X-Auth-Token": "emulator-token" }
    })
    expect(answer.status).toBe(404)
    const ended = await emulator.stop("SIGINT")
    expect(ended.code).toBe(0)
  })

  it("answers the CORS preflights of the origins given with --cors, and only theirs", async () => {
    const page = "http://localhost:5173"
    const { emulator, line } = await startEmulator(["--cors", page, "--cors", "http://127.0.0.1:4000"])
    const url = `${urlOf(line)}/v3/${projectId}/keypairs/associate`
    const preflight = (origin: string) =>
      fetch(url, { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST" } })
    const [allowed, other, refused] = await Promise.all([
      preflight(page),
      preflight("http://127.0.0.1:4000"),
      preflight("http://localhost:5174")
    ])
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get("access-control-allow-origin")).toBe(page)
    expect(allowed.headers.get("access-control-allow-methods")).toBe("GET, POST, DELETE")
    expect(other.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:4000")
    expect(refused.status).toBe(404)
    expect(refused.headers.get("access-control-allow-origin")).toBeNull()
    // An answer to an allowed page exposes its request id, a 401 included.
    const unauthenticated = await fetch(url, { method: "POST", headers: { Origin: page }, body: "{}" })
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.headers.get("access-control-allow-origin")).toBe(page)
    expect(unauthenticated.headers.get("access-control-expose-headers")).toBe("X-Request-Id, Retry-After")
    expect((await emulator.stop()).stdout).toContain(`browser pages allowed (CORS): ${page}, http://127.0.0.1:4000`)
  })

  it("--cors '*' allows any page; an origin that is not one is a usage error", async () => {
    const { emulator, line } = await startEmulator(["--cors", "*"])
    const answer = await fetch(`${urlOf(line)}/v3/projects`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example.com", "Access-Control-Request-Method": "GET" }
    })
    expect([answer.status, answer.headers.get("access-control-allow-origin")]).toEqual([204, "https://app.example.com"])
    await emulator.stop()
    const refused = await run(["emulator", "--cors", "localhost:5173/app"])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/^kps-task: .*cors origin "localhost:5173\/app" must use http or https\n$/)
  })

  it("exits 4 when it cannot listen", async () => {
    const { emulator: first, line } = await startEmulator([])
    const port = new URL(urlOf(line)).port
    const second = await run(["emulator", "--port", port])
    expect(second.code).toBe(4)
    expect(second.stderr).toMatch(/^kps-task: .*could not listen/)
    await first.stop()
  })
})

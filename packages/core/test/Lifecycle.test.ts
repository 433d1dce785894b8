import { Credentials, KeypairAssociation, KpsClient, type KpsError, Signer, TaskList } from "@effect-kps/core"
import { HttpClient, type HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, DateTime, Effect, Either, Inspectable, Layer, Redacted, Stream } from "effect"
import * as FakeHttp from "./fixtures/fakeHttp.js"
import * as Tracing from "./fixtures/tracing.js"

const projectId = "0123456789abcdef0123456789abcdef"
const endpoint = "https://kms.cn-north-4.myhuaweicloud.com"
const password = "Zq8#rootPW-hunter2-UNIQUE-pass"
const accessKey = { accessKeyId: "HPUAEXAMPLEAK0000001", secret: "exampleSecretKey0000000000000000000000001" }

type Answer = (url: URL, request: HttpClientRequest.HttpClientRequest) => FakeHttp.Answer

const clientOver = (answer: Answer, overrides: Partial<KpsClient.Options> = {}) =>
  KpsClient.layer({
    endpoint,
    projectId,
    credentials: Credentials.token(Redacted.make("MIItoken-0123456789abcdef")),
    ...overrides
  }).pipe(Layer.provideMerge(FakeHttp.layer(answer)))

const accepted = (taskId = "task-1", serverId: string | null = "server-1") => () =>
  FakeHttp.json(202, { task_id: taskId, server_id: serverId })

const associate = (overrides: Partial<KeypairAssociation.Server> = {}): KeypairAssociation.AssociateRequest => ({
  keypairName: "deploy",
  server: { id: "server-1", auth: { type: "password", key: Redacted.make(password) }, ...overrides }
})

const renderings = (value: unknown): string => {
  const texts = [Inspectable.format(value), JSON.stringify(value)]
  if (value instanceof Error) texts.push(value.message, String(value), value.stack ?? "")
  return texts.join("\n")
}

describe("starting tasks: what goes on the wire", () => {
  it.effect("associate POSTs the wire body with the key, and answers the task to wait on", () =>
    Effect.gen(function*() {
      const ref = yield* KpsClient.associateKeypair(associate({ disablePassword: true, port: 2222 }))
      expect(ref).toMatchObject({ taskId: "task-1", serverId: "server-1" })
      const [sent] = yield* FakeHttp.sent
      expect(sent.method).toBe("POST")
      expect(sent.url).toBe(`${endpoint}/v3/${projectId}/keypairs/associate`)
      expect(sent.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(sent.body!)).toEqual({
        keypair_name: "deploy",
        server: { id: "server-1", auth: { type: "password", key: password }, disable_password: true, port: 2222 }
      })
    }).pipe(Effect.provide(clientOver(accepted()))))

  it.effect("disassociate POSTs only the server; an answer without server_id gives a ref without one", () =>
    Effect.gen(function*() {
      const ref = yield* KpsClient.disassociateKeypair({ server: { id: "server-9" } })
      expect(ref.taskId).toBe("task-2")
      expect(ref.serverId).toBeUndefined()
      const [sent] = yield* FakeHttp.sent
      expect(sent.url).toBe(`${endpoint}/v3/${projectId}/keypairs/disassociate`)
      expect(JSON.parse(sent.body!)).toEqual({ server: { id: "server-9" } })
    }).pipe(Effect.provide(clientOver(accepted("task-2", null)))))

  it.effect("an AK/SK signature covers the body as sent, key included", () =>
    Effect.gen(function*() {
      yield* KpsClient.associateKeypair(associate())
      const [sent] = yield* FakeHttp.sent
      const verified = yield* Signer.verify(
        { method: sent.method, url: new URL(sent.url), headers: sent.headers, body: sent.body },
        (id) => id === accessKey.accessKeyId ? Redacted.make(accessKey.secret) : undefined
      )
      expect(verified.signedHeaders).toContain("content-type")
      const tampered = yield* Effect.flip(
        Signer.verify(
          {
            method: sent.method,
            url: new URL(sent.url),
            headers: sent.headers,
            body: sent.body!.replace("deploy", "other")
          },
          () => Redacted.make(accessKey.secret)
        )
      )
      expect(tampered.reason).toBe("SignatureMismatch")
    }).pipe(Effect.provide(clientOver(accepted(), {
      credentials: Credentials.accessKey({
        accessKeyId: accessKey.accessKeyId,
        secretAccessKey: Redacted.make(accessKey.secret)
      })
    }))))

  it.effect("a started task's answer must name a task: anything else is a KpsDecodeError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.associateKeypair(associate()))
      expect(error).toMatchObject({ _tag: "KpsDecodeError", status: 202 })
      expect(error.message).toContain("task_id")
    }).pipe(Effect.provide(clientOver(() => FakeHttp.json(202, { server_id: "server-1" })))))
})

describe("starting tasks: bad input is refused before anything is sent", () => {
  const cases: ReadonlyArray<
    readonly [string, () => Effect.Effect<unknown, KpsError.KpsError, KpsClient.KpsClient>, string]
  > = [
    [
      "an empty key pair name",
      () => KpsClient.associateKeypair({ keypairName: "", server: { id: "s" } }),
      "keypairName"
    ],
    [
      "a 65-character name",
      () => KpsClient.associateKeypair({ keypairName: "k".repeat(65), server: { id: "s" } }),
      "keypairName"
    ],
    [
      "a server id with a slash",
      () => KpsClient.associateKeypair({ keypairName: "k", server: { id: "a/b" } }),
      "server.id"
    ],
    ["port 0", () => KpsClient.associateKeypair(associate({ port: 0 })), "server.port"],
    ["port 2.5", () => KpsClient.associateKeypair(associate({ port: 2.5 })), "server.port"],
    ["an auth type nobody knows", () =>
      KpsClient.associateKeypair(associate({
        auth: { type: "token" as "password", key: Redacted.make(password) }
      })), "server.auth.type"],
    ["a key given as a plain string", () =>
      KpsClient.associateKeypair(associate({
        auth: { type: "password", key: password as unknown as Redacted.Redacted<string> }
      })), "server.auth.key"],
    [
      "an empty key",
      () => KpsClient.disassociateKeypair({ server: { id: "s", auth: { type: "keypair", key: Redacted.make("") } } }),
      "server.auth.key"
    ],
    ["an empty batch", () => KpsClient.batchAssociateKeypairs([]), "items"],
    [
      "a batch of 11",
      () =>
        KpsClient.batchAssociateKeypairs(
          Array.from({ length: 11 }, (_, i) => ({ keypairName: "k", server: { id: `s-${i}` } }))
        ),
      "items"
    ],
    [
      "a bad item in a batch",
      () =>
        KpsClient.batchAssociateKeypairs([{ keypairName: "k", server: { id: "s-1" } }, {
          keypairName: "k",
          server: { id: "" }
        }]),
      "items[1].server.id"
    ],
    ["limit 0", () => KpsClient.listRunningTasks({ limit: 0 }), "limit"],
    ["limit 1001", () => KpsClient.listFailedTasks({ limit: 1001 }), "limit"],
    ["offset -1", () => KpsClient.listFailedTasks({ offset: -1 }), "offset"],
    ["a page size of 0", () => Stream.runDrain(KpsClient.runningTasks({ pageSize: 0 })), "pageSize"],
    ["an empty task id to delete", () => KpsClient.deleteFailedTask(""), "taskId"],
    ["a task id with a query", () => KpsClient.deleteFailedTask("t?all=1"), "taskId"],
    ["a malformed project id", () => KpsClient.deleteAllFailedTasks({ projectId: "a/b" }), "projectId"]
  ]
  for (const [name, call, field] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(call())
        expect(error).toMatchObject({ _tag: "KpsInvalidInput", field })
        expect(renderings(error)).not.toContain(password)
        expect(yield* FakeHttp.sent).toEqual([])
      }).pipe(Effect.provide(clientOver(accepted()))))
  }
})

describe("starting tasks: the server's key is a secret", () => {
  it.effect("a transformClient sees the request with the key replaced, and the wire still gets it", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const layer = clientOver(accepted(), {
        transformClient: HttpClient.tapRequest((request) =>
          Effect.sync(() => seen.push(Inspectable.format(request), JSON.stringify(request)))
        )
      })
      yield* KpsClient.associateKeypair(associate()).pipe(Effect.provide(layer))
      expect(seen.join("\n")).toContain("<redacted>")
      expect(seen.join("\n")).not.toContain(password)
    }))

  it.effect("a request given by the user prints without the key", () =>
    Effect.sync(() => {
      expect(renderings(associate())).not.toContain(password)
    }))

  const echoes: ReadonlyArray<readonly [string, Answer]> = [
    ["an error body", () => FakeHttp.json(400, { error_code: "KPS.0400", error_msg: `bad key ${password}` })],
    ["a request id header", () => FakeHttp.json(500, {}, { "x-request-id": password })],
    ["a 2xx body that is not JSON", () => new Response(`key=${password}`, { status: 202 })],
    ["a transport error", () => ({ fail: new Error(`socket hang up after ${password}`) })],
    ["the started task's id", () => FakeHttp.json(202, { task_id: `x${password}x`, server_id: password })]
  ]
  for (const [name, answer] of echoes) {
    it.effect(`a key echoed in ${name} is scrubbed from what the caller sees`, () =>
      Effect.gen(function*() {
        const result = yield* Effect.either(KpsClient.associateKeypair(associate()))
        const shown = Either.isLeft(result) ? renderings(result.left) : renderings(result.right)
        expect(shown).not.toContain(password)
        expect(shown).not.toContain(password.slice(4, 20))
      }).pipe(Effect.provide(clientOver(answer))))
  }

  it.effect("spans name the server and key pair, never the key", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* Tracing.recordingTracer
      yield* KpsClient.associateKeypair(associate()).pipe(Effect.withTracer(tracer))
      expect(spans.map((span) => span.name)).toEqual(["KpsClient.associateKeypair"])
      const attributes = Object.fromEntries(spans[0].attributes)
      expect(attributes).toMatchObject({
        "kps.server_id": "server-1",
        "kps.keypair_name": "deploy",
        "http.request.method": "POST",
        "http.response.status_code": 202
      })
      expect(JSON.stringify(attributes)).not.toContain(password)
    }).pipe(Effect.provide(clientOver(accepted()))))
})

describe("starting tasks is never retried", () => {
  const failures: ReadonlyArray<readonly [string, Answer]> = [
    ["a 503", () => FakeHttp.json(503, { error_code: "KPS.0003", error_msg: "busy" })],
    [
      "a 429",
      () => FakeHttp.json(429, { error_code: "APIG.0308", error_msg: "over ratelimit" }, { "retry-after": "1" })
    ],
    ["a reset connection", () => ({ fail: Object.assign(new Error("reset"), { code: "ECONNRESET" }) })]
  ]
  for (const [name, answer] of failures) {
    it.effect(`${name} is the result of associate, disassociate and batch, after one request each`, () =>
      Effect.gen(function*() {
        yield* Effect.flip(KpsClient.associateKeypair(associate()))
        yield* Effect.flip(KpsClient.disassociateKeypair({ server: { id: "server-1" } }))
        yield* Effect.flip(KpsClient.batchAssociateKeypairs([associate()]))
        expect((yield* FakeHttp.sent).map((sent) => sent.method)).toEqual(["POST", "POST", "POST"])
      }).pipe(Effect.provide(clientOver(answer))))
  }
})

describe("batch associate", () => {
  const items = ["s-1", "s-2", "s-3", "s-4"].map((id) => ({ keypairName: "deploy", server: { id } }))

  it.effect("one result per server in the request's order; a refused server is data", () =>
    Effect.gen(function*() {
      const results = yield* KpsClient.batchAssociateKeypairs(items)
      expect(results.map((result) =>
        Either.match(result, {
          onLeft: (error) => `${error.serverId}: ${error.errorCode} ${error.errorMessage}`,
          onRight: (ref) => `${ref.serverId}: ${ref.taskId}`
        })
      )).toEqual([
        "s-1: t-1",
        "s-2: KPS.0011 server is busy",
        "s-3: KPS.0012 ",
        "s-4:  the answer names no task for this server"
      ])
      const refused = results[1]
      expect(Either.isLeft(refused) && refused.left).toBeInstanceOf(KeypairAssociation.BatchItemError)
      expect(Either.isLeft(refused) && refused.left.message).toBe(
        "KPS started no task for server s-2 KPS.0011: server is busy"
      )
      const [sent] = yield* FakeHttp.sent
      expect(sent.url).toBe(`${endpoint}/v3/${projectId}/keypairs/batch-associate`)
      expect(JSON.parse(sent.body!).batch_keypairs).toHaveLength(4)
    }).pipe(Effect.provide(clientOver(() =>
      FakeHttp.json(200, {
        tasks: [
          { task_id: "t-3", server_id: "s-3", status: "failed", error_code: "KPS.0012" },
          { task_id: "t-1", server_id: "s-1", status: "success" },
          { server_id: "s-2", status: "failed", error_code: "KPS.0011", error_msg: "server is busy" }
        ]
      })
    ))))

  it.effect("an answer without server ids is matched by position", () =>
    Effect.gen(function*() {
      const results = yield* KpsClient.batchAssociateKeypairs(items.slice(0, 2))
      expect(results.map((result) => Either.isRight(result) && result.right.taskId)).toEqual(["a", "b"])
      expect(results.map((result) => Either.isRight(result) && result.right.serverId)).toEqual(["s-1", "s-2"])
    }).pipe(Effect.provide(clientOver(() => FakeHttp.json(202, { tasks: [{ task_id: "a" }, { task_id: "b" }] })))))
})

const row = (n: number) => ({
  task_id: `t-${n}`,
  operate_type: "FAILED_REPLACE",
  task_time: 1_700_000_000_000 + n,
  server_name: `web-${n}`,
  server_id: `s-${n}`,
  keypair_name: "deploy",
  task_error_code: "KPS.0500",
  task_error_msg: "ssh refused"
})

/** A list of `total` rows served by limit and offset, like KPS. */
const listOf = (total: number, options: { readonly omitTotal?: boolean } = {}): Answer => (url) => {
  const limit = Number(url.searchParams.get("limit"))
  const offset = Number(url.searchParams.get("offset"))
  const tasks = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => row(offset + i))
  return FakeHttp.json(200, options.omitTotal ? { tasks } : { total, tasks })
}

describe("listing tasks", () => {
  it.effect("a page decodes every field into camelCase, the time as a DateTime", () =>
    Effect.gen(function*() {
      const page = yield* KpsClient.listFailedTasks({ limit: 2, offset: 3 })
      expect(page.total).toBe(7)
      expect(page.tasks.map((task) => task.taskId)).toEqual(["t-3", "t-4"])
      const [task] = page.tasks
      expect(task).toBeInstanceOf(TaskList.FailedTask)
      expect(task).toMatchObject({
        operateType: "FAILED_REPLACE",
        serverName: "web-3",
        serverId: "s-3",
        keypairName: "deploy",
        taskErrorCode: "KPS.0500",
        errorCode: "KPS.0500",
        errorMessage: "ssh refused",
        operation: "replace"
      })
      expect(task.taskTime && DateTime.toEpochMillis(task.taskTime)).toBe(1_700_000_000_003)
      const [sent] = yield* FakeHttp.sent
      expect(sent.url).toBe(`${endpoint}/v3/${projectId}/failed-tasks?limit=2&offset=3`)
      expect(sent.method).toBe("GET")
    }).pipe(Effect.provide(clientOver(listOf(7)))))

  it.effect("running tasks: fields may be null or missing, and times come in several forms", () =>
    Effect.gen(function*() {
      const page = yield* KpsClient.listRunningTasks()
      expect(page.tasks.map((task) => [task.taskId, task.serverId, task.operation])).toEqual([
        ["r-1", undefined, "unknown"],
        ["r-2", "s-2", "bind"],
        ["r-3", undefined, "unknown"],
        ["r-4", undefined, "unknown"]
      ])
      expect(page.tasks.map((task) => task.taskTime && DateTime.formatIso(task.taskTime))).toEqual([
        undefined,
        "2023-11-14T22:13:20.000Z",
        "2024-01-02T03:04:05.000Z",
        undefined
      ])
      const [sent] = yield* FakeHttp.sent
      expect(sent.url).toBe(`${endpoint}/v3/${projectId}/running-tasks?limit=100&offset=0`)
    }).pipe(Effect.provide(clientOver(() =>
      FakeHttp.json(200, {
        total: 4,
        tasks: [
          { task_id: "r-1", server_id: null, task_time: null },
          { task_id: "r-2", server_id: "s-2", operate_type: "BIND", task_time: "1700000000000" },
          { task_id: "r-3", task_time: "2024-01-02T03:04:05Z" },
          { task_id: "r-4", task_time: "not a time" }
        ]
      })
    ))))

  it.effect("a page that is not a page is a KpsDecodeError naming where", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.listRunningTasks())
      expect(error).toMatchObject({ _tag: "KpsDecodeError", status: 200 })
      expect(error.message).toContain(`["tasks"]`)
    }).pipe(Effect.provide(clientOver(() => FakeHttp.json(200, { total: 1, tasks: { task_id: "x" } })))))

  it.effect("the stream reads every page, lazily: taking 3 of 7 at 2 a page asks for 2 pages", () =>
    Effect.gen(function*() {
      const first = yield* Stream.runCollect(Stream.take(KpsClient.failedTasks({ pageSize: 2 }), 3))
      expect(Chunk.toReadonlyArray(first).map((task) => task.taskId)).toEqual(["t-0", "t-1", "t-2"])
      expect((yield* FakeHttp.sent).length).toBe(2)
      const all = yield* Stream.runCollect(KpsClient.failedTasks({ pageSize: 2 }))
      expect(Chunk.size(all)).toBe(7)
      expect((yield* FakeHttp.sent).slice(2).map((sent) => new URL(sent.url).search)).toEqual([
        "?limit=2&offset=0",
        "?limit=2&offset=2",
        "?limit=2&offset=4",
        "?limit=2&offset=6"
      ])
    }).pipe(Effect.provide(clientOver(listOf(7)))))

  it.effect("without a total, the stream ends at the first short page", () =>
    Effect.gen(function*() {
      const all = yield* Stream.runCollect(KpsClient.runningTasks({ pageSize: 3 }))
      expect(Chunk.size(all)).toBe(5)
      expect((yield* FakeHttp.sent).length).toBe(2)
      const page = yield* KpsClient.listRunningTasks({ limit: 3, offset: 3 })
      expect(page.total).toBe(5)
    }).pipe(Effect.provide(clientOver(listOf(5, { omitTotal: true })))))

  it.effect("a total that lies does not make the stream run on: an empty page ends it", () =>
    Effect.gen(function*() {
      const all = yield* Stream.runCollect(KpsClient.runningTasks({ pageSize: 2 }))
      expect(Chunk.size(all)).toBe(3)
      expect((yield* FakeHttp.sent).length).toBe(3)
    }).pipe(Effect.provide(clientOver((url) => {
      const offset = Number(url.searchParams.get("offset"))
      return FakeHttp.json(200, {
        total: 1_000_000,
        tasks: offset >= 3 ? [] : [row(offset), row(offset + 1)].slice(0, 3 - offset)
      })
    }))))

  it.effect("a failing page fails the stream with the page's error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(KpsClient.runningTasks()))
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 403 })
    }).pipe(Effect.provide(clientOver(() => FakeHttp.json(403, { error_code: "APIG.0302", error_msg: "denied" })))))

  it.effect("a listed field that echoes a secret is scrubbed", () =>
    Effect.gen(function*() {
      const page = yield* KpsClient.listFailedTasks()
      expect(renderings(page.tasks)).not.toContain("MIItoken-0123456789abcdef")
    }).pipe(Effect.provide(clientOver(() =>
      FakeHttp.json(200, {
        total: 1,
        tasks: [{ ...row(1), task_error_msg: "token MIItoken-0123456789abcdef refused" }]
      })
    ))))
})

describe("cleaning up failed tasks", () => {
  for (
    const [name, answer] of [
      ["200 with an empty body", () => new Response("", { status: 200 })],
      ["204", () => new Response(null, { status: 204 })],
      ["200 with a JSON body", () => FakeHttp.json(200, { deleted: 1 })]
    ] as const
  ) {
    it.effect(`deletes answer void on ${name}`, () =>
      Effect.gen(function*() {
        expect(yield* KpsClient.deleteFailedTask("t 1".replace(" ", "-"))).toBeUndefined()
        expect(yield* KpsClient.deleteAllFailedTasks()).toBeUndefined()
        expect((yield* FakeHttp.sent).map((sent) => `${sent.method} ${new URL(sent.url).pathname}`)).toEqual([
          `DELETE /v3/${projectId}/failed-tasks/t-1`,
          `DELETE /v3/${projectId}/failed-tasks`
        ])
      }).pipe(Effect.provide(clientOver(answer))))
  }

  it.effect("a task that is not there is KPS's 404", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.deleteFailedTask("t-1"))
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 404, errorCode: "KPS.0001" })
    }).pipe(
      Effect.provide(clientOver(() => FakeHttp.json(404, { error_code: "KPS.0001", error_msg: "no such task" })))
    ))

  it.effect("the task id is percent-encoded into the path", () =>
    Effect.gen(function*() {
      yield* KpsClient.deleteFailedTask("tâche-1")
      const [sent] = yield* FakeHttp.sent
      expect(sent.url).toBe(`${endpoint}/v3/${projectId}/failed-tasks/t%C3%A2che-1`)
    }).pipe(Effect.provide(clientOver(() => new Response(null, { status: 204 })))))
})

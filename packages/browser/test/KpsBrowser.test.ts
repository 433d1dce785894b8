import { KpsBrowser } from "@effect-kps/browser"
import { Credentials, KeypairTask, KpsClient, KpsError, Signer } from "@effect-kps/core"
import { TransportContract } from "@effect-kps/testing"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import { inject } from "vitest"
import * as Wire from "./fixtures/wire.js"

const serverUrl = inject("kpsServerUrl")

/** A client whose endpoint is one route of the loopback server. */
const clientAt = (route: string, options: Partial<KpsClient.Options> = {}) =>
  KpsBrowser.layer({
    endpoint: `${serverUrl}/${route}`,
    projectId: Wire.projectId,
    credentials: Credentials.token(Wire.token),
    ...options
  })

const accessKey = (secretAccessKey: string) =>
  Credentials.accessKey({ accessKeyId: Wire.accessKeyId, secretAccessKey: Redacted.make(secretAccessKey) })

/** What the server has received so far, read over the network. */
const report = Effect.promise(() =>
  fetch(`${serverUrl}/report`).then((response) => response.json() as Promise<Wire.Report>)
)

/** Asks the server until `done` holds: bounded, each turn a real request, never a timed sleep. */
const untilServer = (done: (report: Wire.Report) => boolean, what: string) =>
  Effect.gen(function*() {
    for (let turn = 0; turn < 500; turn++) {
      if (done(yield* report)) return
    }
    return yield* Effect.dieMessage(`gave up waiting until ${what}`)
  })

describe("KpsBrowser in Chromium", () => {
  it("runs in a real browser, in a secure context with Web Crypto", () => {
    expect(navigator.userAgent).toMatch(/Chrome\//)
    expect(typeof window.document).toBe("object")
    expect(window.isSecureContext).toBe(true)
    expect(Signer.isAvailable()).toBe(true)
  })

  it.effect("decodes a KeypairTask from a token request", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(Wire.taskId)
      expect(task).toBeInstanceOf(KeypairTask.KeypairTask)
      expect(task.taskId).toBe(Wire.taskId)
      expect(task.taskStatus).toBe("RUNNING_RESET")
      expect(task.serverId).toBe(Wire.task.server_id)
    }).pipe(Effect.provide(clientAt("token"))))

  // The server verifies against its wall clock: sign with the live clock too.
  it.live("sends an AK/SK signature, made with Web Crypto, that the server verifies", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(Wire.taskId).pipe(
        Effect.provide(clientAt("signed", { credentials: accessKey(Wire.secretAccessKey) }))
      )
      expect(task.taskStatus).toBe("RUNNING_RESET")
      const error = yield* KpsClient.getTask(Wire.taskId).pipe(
        Effect.provide(clientAt("signed", { credentials: accessKey("not-the-secret-key") })),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "KpsApiError", status: 401, errorCode: "APIG.0301" })
      expect(error.message).toContain("SignatureMismatch")
    }))

  it.effect("computes the spec's signing test vector with Web Crypto", () =>
    Effect.gen(function*() {
      const signature = yield* Signer.sign(
        {
          method: "GET",
          url: new URL(
            "https://kms.cn-north-4.myhuaweicloud.com/v3/0123456789abcdef0123456789abcdef/tasks/aee8d2fe-5484-4753-9177-5a38dc15546c"
          ),
          headers: {
            "Content-Type": "application/json",
            "X-Project-Id": "0123456789abcdef0123456789abcdef",
            "X-Sdk-Date": "20240102T030405Z"
          }
        },
        {
          accessKeyId: "HPUAEXAMPLEAK0000001",
          secretAccessKey: Redacted.make("exampleSecretKey0000000000000000000000001")
        }
      )
      expect(signature.authorization).toBe(
        "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, " +
          "Signature=e4ecdfc092a67d9e73e459e50b35349ae5038d563bd25db8e0d091860067da39"
      )
    }))

  for (const shape of Object.keys(Wire.errorBodies)) {
    it.effect(`maps a ${shape} error body, with the request id`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(KpsClient.getTask(Wire.taskId))
        expect(error).toMatchObject({
          _tag: "KpsApiError",
          status: 400,
          errorCode: "KPS.0001",
          errorMessage: "taskId is illegal",
          requestId: Wire.requestId
        })
        expect(error.message).toContain(`(request id ${Wire.requestId})`)
        expect(KpsError.classify(error)).toBe("terminal")
      }).pipe(Effect.provide(clientAt(`errors/${shape}`))))
  }

  it.effect("maps a 429 with Retry-After to a throttled KpsApiError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(Wire.taskId))
      expect(error).toMatchObject({
        _tag: "KpsApiError",
        status: 429,
        errorCode: "APIG.0308",
        retryAfter: "3",
        requestId: "req-429"
      })
      expect(KpsError.classify(error)).toBe("throttled")
    }).pipe(Effect.provide(clientAt("throttled"))))

  it.effect("times out a request that gets no answer on the Effect clock, and aborts it", () =>
    Effect.gen(function*() {
      const taskId = crypto.randomUUID()
      const fiber = yield* Effect.fork(Effect.flip(KpsClient.getTask(taskId, { timeout: "5 seconds" })))
      yield* untilServer(
        ({ requests }) => requests.some((request) => request.method === "GET" && request.path.endsWith(taskId)),
        "the server receives the request"
      )
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "KpsTransportError", reason: "Timeout" })
      yield* untilServer(({ aborted }) => aborted.some((path) => path.endsWith(taskId)), "the request is aborted")
    }).pipe(Effect.provide(clientAt("hang"))))

  it.effect("does not follow redirects", () =>
    Effect.gen(function*() {
      const taskId = crypto.randomUUID()
      const error = yield* Effect.flip(KpsClient.getTask(taskId))
      // The browser hides a redirect from scripts (status 0, no headers, no body): the error says
      // it was one.
      expect(error).toMatchObject({ _tag: "KpsTransportError", reason: "Transport" })
      expect(error.message).toContain("the endpoint answered with a redirect, which is not followed")
      const { requests } = yield* report
      const sent = requests.filter((request) => request.method === "GET" && request.path.endsWith(taskId))
      expect(sent.map((request) => request.path)).toEqual([`/redirect/v3/${Wire.projectId}/tasks/${taskId}`])
    }).pipe(Effect.provide(clientAt("redirect"))))

  // Signed: the server checks the date against its wall clock.
  it.live("reads its options through Config, from a ConfigProvider set on the layer", () =>
    Effect.gen(function*() {
      const task = yield* KpsClient.getTask(Wire.taskId)
      expect(task.taskStatus).toBe("RUNNING_RESET")
    }).pipe(
      Effect.provide(
        KpsBrowser.layerConfig({ endpoint: Config.string("KPS_ENDPOINT") }).pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromJson({
            KPS_ENDPOINT: `${serverUrl}/signed`,
            HUAWEICLOUD_SDK_AK: Wire.accessKeyId,
            HUAWEICLOUD_SDK_SK: Wire.secretAccessKey,
            HUAWEICLOUD_SDK_PROJECT_ID: Wire.projectId
          })))
        )
      )
    ))

  it.effect("fails layerConfig with a ConfigError when nothing is configured", () =>
    Effect.gen(function*() {
      const error = yield* KpsClient.getTask(Wire.taskId).pipe(
        Effect.provide(KpsBrowser.layerConfig({ endpoint: Config.succeed(`${serverUrl}/token`) })),
        Effect.withConfigProvider(ConfigProvider.fromJson({})),
        Effect.flip
      )
      expect(error._tag).toBe("ConfigError")
      expect(String(error)).toContain("HUAWEICLOUD_SDK_AK")
    }))

  it.live("sends no traceparent or b3 header, even inside a span", () =>
    Effect.gen(function*() {
      const taskId = crypto.randomUUID()
      yield* Effect.gen(function*() {
        yield* KpsClient.getTask(taskId).pipe(Effect.provide(clientAt("token")))
        yield* KpsClient.getTask(taskId).pipe(
          Effect.provide(clientAt("signed", { credentials: accessKey(Wire.secretAccessKey) }))
        )
        // The HttpClient layer on its own does not propagate either.
        yield* HttpClient.execute(HttpClientRequest.get(`${serverUrl}/control/plain/${taskId}`)).pipe(
          Effect.provide(KpsBrowser.layerHttpClient)
        )
        // The control: the platform's fetch client, as it comes, does.
        yield* HttpClient.execute(HttpClientRequest.get(`${serverUrl}/control/traced/${taskId}`)).pipe(
          Effect.provide(FetchHttpClient.layer)
        )
      }).pipe(Effect.withSpan("browser test"))

      const { requests } = yield* report
      const sent = requests.filter((request) => request.method === "GET" && request.path.endsWith(taskId))
      expect(sent.map((request) => request.path.split("/")[1])).toEqual(["token", "signed", "control", "control"])
      // Of all the requests and preflights the server saw in this run, from every test so far,
      // only the control's carried or asked for a trace header.
      const traced = requests.filter((request) => request.traceHeaders.length > 0)
      expect(traced.map((request) => request.path)).toEqual(
        requests.filter((request) => request.path.startsWith("/control/traced/")).map((request) => request.path)
      )
      expect(traced.map((request) => request.method)).toContain("GET")
      expect(traced.flatMap((request) => request.traceHeaders)).toEqual(expect.arrayContaining(["traceparent", "b3"]))
    }))
})

describe("bodies across origins, whose Content-Encoding the browser hides", () => {
  it.effect("the transport hands over no more than the client's limit, and cancels the rest", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.get(`${serverUrl}/bomb`)
      // The page cannot see that this body is compressed: only its (small) declared length.
      expect(response.headers["content-encoding"]).toBeUndefined()
      expect(Number(response.headers["content-length"])).toBeLessThan(KpsClient.maxBodyBytes)
      const text = yield* response.text
      expect(text.length).toBe(KpsClient.maxBodyBytes + 1)
    }).pipe(Effect.provide(KpsBrowser.layerHttpClient)))

  it.effect("a client refuses the body as over its limit", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(Wire.taskId))
      expect(error).toMatchObject({ _tag: "KpsDecodeError", status: 200 })
      expect(error.message).toContain("exceeds the 1048576-byte limit")
    }).pipe(Effect.provide(clientAt("bomb"))))
})

describe("the transport contract, in Chromium", () => {
  TransportContract.cases.forEach((contractCase, index) => {
    it.effect(contractCase.name, () =>
      Effect.gen(function*() {
        expect(yield* TransportContract.run(contractCase)).toMatchObject(contractCase.expected)
      }).pipe(Effect.provide(clientAt(`contract/${index}`))))
  })
})

describe("against the KPS emulator, from a page on another origin that its --cors allows", () => {
  const requestIdPattern = /^[0-9a-f]{32}$/
  const serverId = "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006"
  const unknownTaskId = "00000000-0000-4000-8000-000000000000"
  let allowing = ""
  let refusing = ""

  /** Asks the test server for an emulator that allows pages from `origin`. */
  const emulatorAllowing = async (origin: string) => {
    const answer = await fetch(`${serverUrl}/emulator?origin=${encodeURIComponent(origin)}`)
    const body = await answer.json() as Wire.Emulator & { readonly error_msg?: string }
    if (!answer.ok) throw new Error(`no emulator: ${body.error_msg}`)
    return body.url
  }

  // Starting a Node process takes seconds on a busy machine.
  beforeAll(async () => {
    ;[allowing, refusing] = await Promise.all([
      emulatorAllowing(location.origin),
      emulatorAllowing("http://localhost:1")
    ])
  }, 120_000)

  /** A client of the emulator at `url` (read once the emulators have started). */
  const clientOf = (url: () => string, credentials: Credentials.Credentials) =>
    Layer.unwrapEffect(Effect.sync(() => KpsBrowser.layer({ endpoint: url(), projectId: Wire.projectId, credentials })))

  it("is on another origin than the page: another loopback port", () => {
    const emulator = new URL(allowing)
    expect(emulator.origin).not.toBe(location.origin)
    expect(emulator.hostname).toBe("127.0.0.1")
    expect(["localhost", "127.0.0.1"]).toContain(location.hostname)
    expect(emulator.port).not.toBe(location.port)
  })

  const cases = [
    { name: "a token", good: Credentials.token(Wire.token), bad: Credentials.token("not-the-token") },
    { name: "AK/SK", good: accessKey(Wire.secretAccessKey), bad: accessKey("not-the-secret-key") }
  ] as const

  for (const { bad, good, name } of cases) {
    // AK/SK: the emulator checks the signature's date against its wall clock.
    it.live(`with ${name}: associates a key pair and gets its task; errors carry their request id`, () =>
      Effect.gen(function*() {
        const started = yield* KpsClient.associateKeypair({ keypairName: "browser-keypair", server: { id: serverId } })
        expect(started.serverId).toBe(serverId)
        const task = yield* KpsClient.getTask(started.taskId)
        expect(task).toMatchObject({ taskId: started.taskId, taskStatus: "SUCCESS_RESET", serverId })

        const unknown = yield* Effect.flip(KpsClient.getTask(unknownTaskId))
        expect(unknown).toMatchObject({ _tag: "KpsApiError", status: 404, errorCode: "KPS.0001" })
        expect(unknown._tag === "KpsApiError" && unknown.requestId).toMatch(requestIdPattern)
        expect(unknown.message).toMatch(/\(request id [0-9a-f]{32}\)/)

        const refused = yield* Effect.flip(
          KpsClient.getTask(started.taskId).pipe(Effect.provide(clientOf(() => allowing, bad)))
        )
        expect(refused).toMatchObject({ _tag: "KpsApiError", status: 401, errorCode: "APIG.0301" })
        expect(refused._tag === "KpsApiError" && refused.requestId).toMatch(requestIdPattern)
      }).pipe(Effect.provide(clientOf(() => allowing, good))))
  }

  it("exposes X-Request-Id to the page: the header is readable, and is the body's", async () => {
    const answer = await fetch(`${allowing}/v3/${Wire.projectId}/tasks/${unknownTaskId}`, {
      headers: { "X-Auth-Token": Wire.token }
    })
    const body = await answer.json() as { readonly request_id: string }
    expect(answer.status).toBe(404)
    expect(answer.headers.get("x-request-id")).toMatch(requestIdPattern)
    expect(answer.headers.get("x-request-id")).toBe(body.request_id)
  })

  it.live("an emulator that allows another origin is refused by the browser: a transport error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KpsClient.getTask(unknownTaskId))
      expect(error).toMatchObject({ _tag: "KpsTransportError", reason: "Transport" })
    }).pipe(Effect.provide(clientOf(() => refusing, Credentials.token(Wire.token)))))
})

import * as Gateway from "@effect-kps/testing/Gateway"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { defaultAccessKey, defaultProjectId, defaultSecretKey, defaultToken } from "../Defaults.js"
import type { Faults } from "../Faults.js"
import type { Options } from "../KpsEmulator.js"
import * as Cors from "./cors.js"
import { EmulatorError } from "./emulatorError.js"
import * as FaultEngine from "./faults.js"
import { isProjectId } from "./schemas.js"

export const defaultMaxBodyBytes = 1024 * 1024
export const defaultMaxBufferedBytes = 32 * 1024 * 1024
export const defaultTaskDuration: Duration.Duration = /* @__PURE__ */ Duration.seconds(3)
export const defaultHeadersTimeout: Duration.Duration = /* @__PURE__ */ Duration.seconds(10)
export const defaultRequestTimeout: Duration.Duration = /* @__PURE__ */ Duration.seconds(30)

/** The options checked, with their defaults filled in. */
export interface Settings {
  readonly port: number
  readonly keys: Gateway.Keys
  readonly taskDuration: Duration.Duration
  readonly readyDuration: Duration.Duration | undefined
  readonly failServers: ReadonlyArray<string>
  readonly refuseServers: ReadonlySet<string>
  readonly faults: Faults | undefined
  readonly taskFaults: ReadonlyArray<readonly [string, Faults]>
  readonly seed: number
  readonly maxBodyBytes: number
  readonly maxBufferedBytes: number
  readonly headersTimeout: Duration.Duration
  readonly requestTimeout: Duration.Duration
  readonly projectId: string
  readonly cors: Cors.Policy | undefined
}

const visibleAscii = /^[\x21-\x7e]+$/

const invalid = (description: string) => Effect.fail(new EmulatorError({ reason: "InvalidOptions", description }))

const duration = (name: string, input: Duration.DurationInput | undefined) => {
  if (input === undefined) return Effect.succeed(undefined)
  const decoded = Duration.decodeUnknown(input)
  return decoded._tag === "None" || !Duration.isFinite(decoded.value)
    ? invalid(`${name} must be a finite duration`)
    : Effect.succeed(decoded.value)
}

// Node counts its server timeouts in whole milliseconds, and reads 0 as "never".
const timeout = (name: string, input: Duration.DurationInput | undefined, fallback: Duration.Duration) =>
  Effect.flatMap(duration(name, input), (value) =>
    value === undefined ?
      Effect.succeed(fallback) :
      Duration.toMillis(value) >= 1 ?
      Effect.succeed(value) :
      invalid(`${name} must be at least 1 millisecond`))

const wholeBytes = (value: number) => Number.isInteger(value) && value >= 1

export const settings = (options: Options = {}): Effect.Effect<Settings, EmulatorError> =>
  Effect.gen(function*() {
    const port = options.port ?? 0
    if (!Number.isInteger(port) || port < 0 || port > 65535) return yield* invalid("port must be 0 to 65535")
    const tokens = options.tokens ?? [defaultToken]
    if (tokens.some((token) => typeof token !== "string" || !visibleAscii.test(token))) {
      return yield* invalid("tokens must be non-empty visible ASCII strings")
    }
    const secrets = new Map<string, Redacted.Redacted<string>>()
    for (
      const [accessKeyId, secret] of Object.entries(options.accessKeys ?? { [defaultAccessKey]: defaultSecretKey })
    ) {
      const redacted = Redacted.isRedacted(secret) ? secret : Redacted.make(secret)
      // Names the access key, never the secret.
      if (!visibleAscii.test(accessKeyId) || accessKeyId.includes(",")) {
        return yield* invalid("access key ids must be visible ASCII without commas")
      }
      if (typeof Redacted.value(redacted) !== "string" || Redacted.value(redacted).length === 0) {
        return yield* invalid(`the secret key of ${accessKeyId} must not be empty`)
      }
      secrets.set(accessKeyId, redacted)
    }
    const taskDuration = (yield* duration("taskDuration", options.taskDuration)) ?? defaultTaskDuration
    const readyDuration = yield* duration("readyDuration", options.readyDuration)
    const faultProblem = FaultEngine.problem(options.faults)
    if (faultProblem !== undefined) return yield* invalid(faultProblem)
    const taskFaults = Object.entries(options.taskFaults ?? {})
    for (const [taskId, faults] of taskFaults) {
      const problem = FaultEngine.problem(faults)
      if (problem !== undefined) return yield* invalid(`taskFaults of ${JSON.stringify(taskId)}: ${problem}`)
    }
    const seed = options.seed ?? 0
    if (!Number.isFinite(seed)) return yield* invalid("seed must be a finite number")
    const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
    if (!wholeBytes(maxBodyBytes)) return yield* invalid("maxBodyBytes must be a whole number of bytes, at least 1")
    const maxBufferedBytes = options.maxBufferedBytes ?? Math.max(defaultMaxBufferedBytes, maxBodyBytes)
    if (!wholeBytes(maxBufferedBytes) || maxBufferedBytes < maxBodyBytes) {
      return yield* invalid("maxBufferedBytes must be a whole number of bytes, at least maxBodyBytes")
    }
    const headersTimeout = yield* timeout("headersTimeout", options.headersTimeout, defaultHeadersTimeout)
    const requestTimeout = yield* timeout("requestTimeout", options.requestTimeout, defaultRequestTimeout)
    if (Duration.greaterThan(headersTimeout, requestTimeout)) {
      return yield* invalid("headersTimeout must not be longer than requestTimeout")
    }
    const projectId = options.projectId ?? defaultProjectId
    if (!isProjectId(projectId)) return yield* invalid("projectId must be 32 hex characters")
    const cors = Cors.policy(options.cors)
    if (Either.isLeft(cors)) return yield* invalid(cors.left)
    return {
      port,
      keys: Gateway.keys({ tokens, accessKeys: Object.fromEntries(secrets) }),
      taskDuration,
      readyDuration,
      failServers: options.failServers ?? [],
      refuseServers: new Set(options.refuseServers ?? []),
      faults: options.faults,
      taskFaults,
      seed,
      maxBodyBytes,
      maxBufferedBytes,
      headersTimeout,
      requestTimeout,
      projectId,
      cors: cors.right
    }
  })

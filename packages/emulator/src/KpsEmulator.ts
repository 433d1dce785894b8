/**
 * A local KPS-compatible HTTP server on `@effect/platform`'s `HttpServer` (Node): the task routes,
 * gateway-like authentication (IAM tokens, SDK-HMAC-SHA256 signatures) and faults on demand.
 * Tasks move `READY_*` → `RUNNING_*` → `SUCCESS_*`/`FAILED_*` on Effect's `Clock`, so tests drive
 * them with `TestClock`. It listens on 127.0.0.1 only.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Defaults from "./Defaults.js"
import type * as FaultsModule from "./Faults.js"
import type { EmulatorError } from "./internal/emulatorError.js"
import * as defaults from "./internal/options.js"
import * as server from "./internal/server.js"
import type { TaskStore } from "./TaskStore.js"

export {
  /**
   * The options are invalid (`InvalidOptions`), or the server could not listen (`Listen`, such as a
   * port in use).
   *
   * @since 0.1.0
   * @category errors
   */
  EmulatorError
} from "./internal/emulatorError.js"

/**
 * Faults to inject, globally or per task: see the `Faults` module.
 *
 * @since 0.1.0
 * @category models
 */
export type Faults = FaultsModule.Faults

/**
 * The running emulator: where it listens, and its tasks.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://127.0.0.1:PORT`: the `endpoint` to give a `KpsClient`. */
  readonly url: string
  readonly port: number
  /** The in-memory task state, to inspect tasks, fail them or set their faults. */
  readonly store: TaskStore
}

/**
 * The running emulator.
 *
 * @since 0.1.0
 * @category tags
 */
export class KpsEmulator
  extends /* @__PURE__ */ Context.Tag("@effect-kps/emulator/KpsEmulator")<KpsEmulator, Service>()
{}

/**
 * How to run the emulator. Every option has a default: `KpsEmulator.layer()` listens on a free
 * port and accepts {@link defaultToken} and the {@link defaultAccessKey}/{@link defaultSecretKey}
 * pair.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The port on 127.0.0.1; default 0, a free port (read it from the service's `port` or `url`). */
  readonly port?: number | undefined
  /** Accepted `X-Auth-Token` values; default `[defaultToken]`. */
  readonly tokens?: ReadonlyArray<string> | undefined
  /**
   * Accepted access keys, AK → SK; default `{ [defaultAccessKey]: defaultSecretKey }`. Secrets are
   * kept `Redacted` from here on.
   */
  readonly accessKeys?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
  /** From creation to `SUCCESS_*`/`FAILED_*`; default 3 seconds. */
  readonly taskDuration?: Duration.DurationInput | undefined
  /** How long a new task stays `READY_*`; default a third of `taskDuration`. */
  readonly readyDuration?: Duration.DurationInput | undefined
  /** Server ids whose tasks end `FAILED_*` (the others end `SUCCESS_*`). */
  readonly failServers?: ReadonlyArray<string> | undefined
  /**
   * Server ids KPS starts no task for: an associate or disassociate naming one answers 400
   * `EMULATOR.0002`, and a batch lists it as a failed item with that code (the batch's other
   * servers get their tasks).
   */
  readonly refuseServers?: ReadonlyArray<string> | undefined
  /** Faults for every authenticated request. */
  readonly faults?: Faults | undefined
  /**
   * Faults of the requests that name a task id (get, delete), by task id; they replace the global
   * ones field by field. `store.setFaults` sets them later, for tasks the emulator created.
   */
  readonly taskFaults?: Readonly<Record<string, Faults>> | undefined
  /** Seeds the fault draws and the task ids: the same seed gives the same sequence. Default 0. */
  readonly seed?: number | undefined
  /**
   * The largest request body accepted; larger ones get 413 `APIG.0201` (at once when their
   * `Content-Length` says so, else once the limit is passed). Default 1 MiB.
   */
  readonly maxBodyBytes?: number | undefined
  /**
   * The most request-body bytes held in memory at once, all requests together (a chunked body
   * counts as `maxBodyBytes`); a request whose body does not fit now gets 503 `APIG.0201` with
   * `Retry-After`, unread. At least `maxBodyBytes`; default 32 MiB, or `maxBodyBytes` when larger.
   */
  readonly maxBufferedBytes?: number | undefined
  /**
   * How long a client may take to send a request's headers (real time, on Node's clock, not
   * Effect's); then it gets 408 `APIG.0201` and its connection is closed. Default 10 seconds.
   */
  readonly headersTimeout?: Duration.DurationInput | undefined
  /**
   * How long a client may take to send a whole request, body included (real time, on Node's clock);
   * then it gets 408 `APIG.0201` and its connection is closed. At least `headersTimeout`; default
   * 30 seconds.
   */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** The project id IAM's `GET /v3/projects` lookup answers; default {@link defaultProjectId}. */
  readonly projectId?: string | undefined
  /**
   * The origins whose pages may call the emulator from a browser (CORS), such as
   * `["http://localhost:5173"]`, or `"*"` for any. For an allowed origin, a preflight of a route
   * (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) answers 204, allowing
   * `GET, POST, DELETE` and every header a client sends, and every answer, errors and 401s
   * included, carries `Access-Control-Allow-Origin` and exposes `X-Request-Id` and `Retry-After`.
   * Another origin gets no CORS header. Default none: a preflight gets the gateway's 404, as any
   * `OPTIONS` does.
   */
  readonly cors?: ReadonlyArray<string> | "*" | undefined
}

/**
 * The IAM token accepted when no `tokens` are given.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultToken: string = Defaults.defaultToken

/**
 * The access key id accepted when no `accessKeys` are given.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultAccessKey: string = Defaults.defaultAccessKey

/**
 * The secret key of {@link defaultAccessKey}. Public on purpose: it guards nothing but a local
 * emulator.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultSecretKey: string = Defaults.defaultSecretKey

/**
 * A project id to use with the emulator (32 hex characters); any well-formed project id (32 hex
 * characters) is accepted anyway.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultProjectId: string = Defaults.defaultProjectId

/**
 * How long a new task takes to end when no `taskDuration` is given: 3 seconds.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultTaskDuration: Duration.Duration = defaults.defaultTaskDuration

/**
 * The largest request body accepted by default: 1 MiB.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultMaxBodyBytes: number = defaults.defaultMaxBodyBytes

/**
 * The most request-body bytes held in memory at once by default: 32 MiB.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultMaxBufferedBytes: number = defaults.defaultMaxBufferedBytes

/**
 * How long a client may take to send its request's headers by default: 10 seconds.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultHeadersTimeout: Duration.Duration = defaults.defaultHeadersTimeout

/**
 * How long a client may take to send a whole request by default: 30 seconds.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRequestTimeout: Duration.Duration = defaults.defaultRequestTimeout

/**
 * Starts the emulator in a scope; it stops, its connections closed, when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service, EmulatorError, Scope.Scope> = server.make

/**
 * The emulator as a `Layer`: it listens while the layer is in use.
 *
 * @example
 * ```ts
 * import { Credentials, KpsClient } from "@effect-kps/core"
 * import { KpsEmulator } from "@effect-kps/emulator"
 * import { KpsNode } from "@effect-kps/node"
 * import { Effect, Layer } from "effect"
 *
 * const Client = Layer.unwrapEffect(Effect.map(KpsEmulator.KpsEmulator, (emulator) =>
 *   KpsNode.layer({
 *     endpoint: emulator.url,
 *     projectId: KpsEmulator.defaultProjectId,
 *     credentials: Credentials.token(KpsEmulator.defaultToken)
 *   })
 * ))
 * const Test = Client.pipe(Layer.provideMerge(KpsEmulator.layer({ taskDuration: "2 seconds" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<KpsEmulator, EmulatorError> =>
  Layer.scoped(KpsEmulator, server.make(options))

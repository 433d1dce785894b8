/**
 * The KPS client service: query a task as an `Effect`, over any `HttpClient`.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type * as Credentials from "./Credentials.js"
import * as Body from "./internal/body.js"
import * as internal from "./internal/client.js"
import * as configuration from "./internal/config.js"
import * as transportTimeouts from "./internal/transportTimeouts.js"
import type { AssociateRequest, BatchResult, DisassociateRequest } from "./KeypairAssociation.js"
import type { KeypairTask } from "./KeypairTask.js"
import type { KpsError, KpsInvalidInput } from "./KpsError.js"
import type { FailedTask, PageRequest, RunningTask, TaskPage } from "./TaskList.js"
import type { TaskRef } from "./TaskRef.js"

/**
 * Per-call options of every {@link Service} method.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** Overrides the client's project id for this call. */
  readonly projectId?: string | undefined
  /** Overrides the client's per-request timeout for this call. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Per-call options of {@link Service.getTask}.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetTaskOptions extends CallOptions {}

/**
 * Options of the task streams ({@link Service.runningTasks}, {@link Service.failedTasks}): the
 * call options of each page request, and how many tasks to ask for per page (1 to 1000, default
 * 100).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions extends CallOptions {
  readonly pageSize?: number | undefined
}

/**
 * What a `KpsClient` does.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The endpoint requests go to, such as `https://kms.cn-north-4.myhuaweicloud.com`. */
  readonly endpoint: string
  /** The per-request timeout calls use unless they give their own. */
  readonly timeout: Duration.Duration
  /**
   * Queries one task: `GET /v3/{project_id}/tasks/{task_id}`. Ids are checked before anything is
   * sent; both are percent-encoded into the path.
   */
  readonly getTask: (taskId: string, options?: GetTaskOptions) => Effect.Effect<KeypairTask, KpsError>
  /**
   * Binds (or replaces, or resets) a key pair on a server: `POST /v3/{project_id}/keypairs/associate`.
   * Answers the task started, to wait on. The request is checked before anything is sent; the
   * server's `auth.key` goes on the wire and nowhere else.
   *
   * Not idempotent: it is sent once, never retried automatically, since a repeat could start a
   * second task. After a transport error or a timeout the task may or may not have started: look
   * for it in {@link runningTasks} before starting it again.
   */
  readonly associateKeypair: (request: AssociateRequest, options?: CallOptions) => Effect.Effect<TaskRef, KpsError>
  /**
   * Unbinds a server's key pair: `POST /v3/{project_id}/keypairs/disassociate`. Answers the task
   * started. Sent once, like {@link associateKeypair}.
   */
  readonly disassociateKeypair: (
    request: DisassociateRequest,
    options?: CallOptions
  ) => Effect.Effect<TaskRef, KpsError>
  /**
   * Binds key pairs on 1 to 10 servers in one request: `POST /v3/{project_id}/keypairs/batch-associate`.
   * Answers one result per server, in the request's order: the task started, or that server's own
   * error. A server KPS refused is data, not a failure of the call. Sent once, like
   * {@link associateKeypair}.
   */
  readonly batchAssociateKeypairs: (
    items: ReadonlyArray<AssociateRequest>,
    options?: CallOptions
  ) => Effect.Effect<ReadonlyArray<BatchResult>, KpsError>
  /** One page of the tasks still running: `GET /v3/{project_id}/running-tasks?limit&offset`. */
  readonly listRunningTasks: (
    page?: PageRequest,
    options?: CallOptions
  ) => Effect.Effect<TaskPage<RunningTask>, KpsError>
  /** One page of the failed tasks: `GET /v3/{project_id}/failed-tasks?limit&offset`. */
  readonly listFailedTasks: (
    page?: PageRequest,
    options?: CallOptions
  ) => Effect.Effect<TaskPage<FailedTask>, KpsError>
  /**
   * Every running task, a page at a time: the next page is asked for only when the stream is
   * pulled past the last. Ends after the page that reaches the list's `total`.
   */
  readonly runningTasks: (options?: ListOptions) => Stream.Stream<RunningTask, KpsError>
  /** Every failed task, a page at a time, like {@link runningTasks}. */
  readonly failedTasks: (options?: ListOptions) => Stream.Stream<FailedTask, KpsError>
  /**
   * Deletes one failed task: `DELETE /v3/{project_id}/failed-tasks/{task_id}`. A task that is not
   * (or no longer) among the failed ones fails with KPS's 404.
   */
  readonly deleteFailedTask: (taskId: string, options?: CallOptions) => Effect.Effect<void, KpsError>
  /** Deletes every failed task of the project: `DELETE /v3/{project_id}/failed-tasks`. */
  readonly deleteAllFailedTasks: (options?: CallOptions) => Effect.Effect<void, KpsError>
}

/**
 * The KPS client service.
 *
 * @since 0.1.0
 * @category tags
 */
export class KpsClient extends /* @__PURE__ */ Context.Tag("@effect-kps/core/KpsClient")<KpsClient, Service>() {}

/**
 * For transport authors: a transport that enforces the per-request timeout itself, by aborting
 * the request, provides this as `true` beside its `HttpClient`. The client then passes each call's
 * timeout in {@link currentRequestTimeout} instead of racing a fiber against the request, which
 * is what a timeout otherwise costs per call (a client with a `transformClient` races one anyway:
 * what runs there, a retry or a hang, is out of the transport's sight). The transport aborts with an error named
 * `TimeoutError` (as `AbortSignal.timeout` does), reported as `KpsTransportError` `Timeout`, and
 * should time it on Effect's `Clock` so that `TestClock` drives it.
 *
 * @since 0.1.0
 * @category transports
 */
export const TransportTimeouts: typeof transportTimeouts.TransportTimeouts = transportTimeouts.TransportTimeouts

/**
 * @since 0.1.0
 * @category transports
 */
export type TransportTimeouts = transportTimeouts.TransportTimeouts

/**
 * For transport authors: the timeout of the request being sent, set around each request when the
 * transport declares {@link TransportTimeouts}.
 *
 * @since 0.1.0
 * @category transports
 */
export const currentRequestTimeout: FiberRef.FiberRef<Duration.Duration | undefined> =
  transportTimeouts.currentRequestTimeout

/**
 * The most a client reads of an answer's body, in bytes after any decompression (1 MiB): a task
 * is a few hundred bytes. A body declared longer is refused unread and cancelled; a longer body
 * without a declared length is abandoned once it passes this. For transport authors: a transport
 * that cannot show the client a body's `Content-Encoding` (a browser reading across origins) should
 * stop its bodies here itself.
 *
 * @since 0.1.0
 * @category transports
 */
export const maxBodyBytes: number = Body.maxBodyBytes

/**
 * For transport authors: whether answers with this status have no content, whatever bytes follow
 * their headers (the Fetch standard's "null body status": 101, 103, 204, 205, 304). Their body
 * reads as empty through fetch; a transport of its own should read it so too, as the Node
 * transport and the `KpsTesting` stub do.
 *
 * @since 0.1.0
 * @category transports
 */
export const isNullBodyStatus = (status: number): boolean =>
  status === 204 || status === 205 || status === 304 || status === 101 || status === 103

/**
 * How to build a client. Give `region` or `endpoint` (an explicit endpoint wins, which is how you
 * point the client at the emulator or a proxy).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** An absolute http(s) URL, optionally with a path prefix. Wins over `region`. */
  readonly endpoint?: string | undefined
  /** A region id such as `cn-north-4`; the endpoint is `https://kms.{region}.myhuaweicloud.com`. */
  readonly region?: string | undefined
  /**
   * The project id used when a call gives none. Without it, access key credentials fall back to
   * their own project id, then to an IAM lookup of the region's project.
   */
  readonly projectId?: string | undefined
  readonly credentials: Credentials.Credentials
  /** Where to look the project id up: default `https://iam.{region}.myhuaweicloud.com`. */
  readonly iamEndpoint?: string | undefined
  /** The per-request timeout, from sending to the end of the body. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Appended to `User-Agent: effect-kps/<version>`. */
  readonly userAgent?: string | undefined
  /**
   * Wraps the `HttpClient`, to add your own retry, timeout or logging. It sees requests before
   * credentials go on, and answers and errors without them. The call's `timeout` covers all it
   * does, retries included.
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * {@link Options} read through `Config`: the whole options as one `Config`, or any of them each as
 * a `Config` (the others then come from the environment, see {@link layerConfig}).
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigOptions =
  | Config.Config<Options>
  | { readonly [K in keyof Options]?: Config.Config<Options[K]> | undefined }

/**
 * Makes a client from options; fails with {@link KpsInvalidInput} when the options cannot make a
 * valid request (unknown region, malformed endpoint or project id, unusable credentials).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Service, KpsInvalidInput, HttpClient.HttpClient> = internal.make

/**
 * A layer providing {@link KpsClient} over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * import { Credentials, KpsClient } from "@effect-kps/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const KpsLive = KpsClient.layer({
 *   region: "cn-north-4",
 *   projectId: "0123456789abcdef0123456789abcdef",
 *   credentials: Credentials.token(Redacted.make("MIIT..."))
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const program = KpsClient.getTask("aee8d2fe-5484-4753-9177-5a38dc15546c").pipe(Effect.provide(KpsLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<KpsClient, KpsInvalidInput, HttpClient.HttpClient> =>
  Layer.effect(KpsClient, make(options))

/**
 * {@link layer} with its options read through `Config`, the environment by default, as the
 * official SDKs read it:
 *
 * - `region` from `HUAWEICLOUD_SDK_REGION`; `HUAWEICLOUD_SDK_REGION_KPS_<REGION>` (such as
 *   `HUAWEICLOUD_SDK_REGION_KPS_CN_NORTH_4`) overrides that region's endpoint, and an explicit
 *   `endpoint` wins over both;
 * - `credentials` from {@link Credentials.fromEnv} (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`,
 *   `HUAWEICLOUD_SDK_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_PROJECT_ID`);
 * - `iamEndpoint` from `HUAWEICLOUD_SDK_IAM_ENDPOINT`.
 *
 * Any option given as a `Config` replaces its default.
 *
 * @example
 * ```ts
 * import { KpsClient } from "@effect-kps/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Config, Layer } from "effect"
 *
 * // Everything from the environment:
 * const KpsLive = KpsClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 *
 * // The environment's credentials, an endpoint of your own:
 * const KpsLocal = KpsClient.layerConfig({ endpoint: Config.string("KPS_ENDPOINT") })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: ConfigOptions
): Layer.Layer<KpsClient, ConfigError.ConfigError | KpsInvalidInput, HttpClient.HttpClient> =>
  Layer.effect(KpsClient, Effect.flatMap(configuration.load(options), make))

/**
 * Queries one task with the {@link KpsClient} in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getTask = (
  taskId: string,
  options?: GetTaskOptions
): Effect.Effect<KeypairTask, KpsError, KpsClient> =>
  Effect.flatMap(KpsClient, (client) => client.getTask(taskId, options))

/**
 * Binds a key pair on a server with the {@link KpsClient} in context: see
 * {@link Service.associateKeypair}. Never retried automatically.
 *
 * @example
 * ```ts
 * import { KpsClient } from "@effect-kps/core"
 * import { Redacted } from "effect"
 *
 * const started = KpsClient.associateKeypair({
 *   keypairName: "deploy-2026",
 *   server: { id: "c3d5e1a0-0001", auth: { type: "password", key: Redacted.make("root password") }, port: 22 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const associateKeypair = (
  request: AssociateRequest,
  options?: CallOptions
): Effect.Effect<TaskRef, KpsError, KpsClient> =>
  Effect.flatMap(KpsClient, (client) => client.associateKeypair(request, options))

/**
 * Unbinds a server's key pair with the {@link KpsClient} in context: see
 * {@link Service.disassociateKeypair}.
 *
 * @since 0.1.0
 * @category accessors
 */
export const disassociateKeypair = (
  request: DisassociateRequest,
  options?: CallOptions
): Effect.Effect<TaskRef, KpsError, KpsClient> =>
  Effect.flatMap(KpsClient, (client) => client.disassociateKeypair(request, options))

/**
 * Binds key pairs on 1 to 10 servers with the {@link KpsClient} in context: see
 * {@link Service.batchAssociateKeypairs}.
 *
 * @since 0.1.0
 * @category accessors
 */
export const batchAssociateKeypairs = (
  items: ReadonlyArray<AssociateRequest>,
  options?: CallOptions
): Effect.Effect<ReadonlyArray<BatchResult>, KpsError, KpsClient> =>
  Effect.flatMap(KpsClient, (client) => client.batchAssociateKeypairs(items, options))

/**
 * One page of running tasks with the {@link KpsClient} in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const listRunningTasks = (
  page?: PageRequest,
  options?: CallOptions
): Effect.Effect<TaskPage<RunningTask>, KpsError, KpsClient> =>
  Effect.flatMap(KpsClient, (client) => client.listRunningTasks(page, options))

/**
 * One page of failed tasks with the {@link KpsClient} in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const listFailedTasks = (
  page?: PageRequest,
  options?: CallOptions
): Effect.Effect<TaskPage<FailedTask>, KpsError, KpsClient> =>
  Effect.flatMap(KpsClient, (client) => client.listFailedTasks(page, options))

/**
 * Every running task with the {@link KpsClient} in context, paged lazily.
 *
 * @example
 * ```ts
 * import { KpsClient } from "@effect-kps/core"
 * import { Stream } from "effect"
 *
 * const serversBusy = KpsClient.runningTasks({ pageSize: 50 }).pipe(
 *   Stream.map((task) => task.serverId),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const runningTasks = (options?: ListOptions): Stream.Stream<RunningTask, KpsError, KpsClient> =>
  Stream.unwrap(Effect.map(KpsClient, (client) => client.runningTasks(options)))

/**
 * Every failed task with the {@link KpsClient} in context, paged lazily.
 *
 * @since 0.1.0
 * @category accessors
 */
export const failedTasks = (options?: ListOptions): Stream.Stream<FailedTask, KpsError, KpsClient> =>
  Stream.unwrap(Effect.map(KpsClient, (client) => client.failedTasks(options)))

/**
 * Deletes one failed task with the {@link KpsClient} in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const deleteFailedTask = (taskId: string, options?: CallOptions): Effect.Effect<void, KpsError, KpsClient> =>
  Effect.flatMap(KpsClient, (client) => client.deleteFailedTask(taskId, options))

/**
 * Deletes every failed task of the project with the {@link KpsClient} in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const deleteAllFailedTasks = (options?: CallOptions): Effect.Effect<void, KpsError, KpsClient> =>
  Effect.flatMap(KpsClient, (client) => client.deleteAllFailedTasks(options))

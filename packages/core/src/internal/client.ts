import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import type * as Tracer from "effect/Tracer"
import { decodeResponse, KeypairTask } from "../KeypairTask.js"
import type { CallOptions, GetTaskOptions, Options, Service } from "../KpsClient.js"
import { type KpsError, KpsInvalidInput } from "../KpsError.js"
import * as KpsRegion from "../KpsRegion.js"
import * as Authentication from "./authentication.js"
import * as Exchange from "./exchange.js"
import * as Lifecycle from "./lifecycle.js"
import type { Operation } from "./lifecycle.js"
import { percentEncode } from "./percentEncoding.js"
import * as Scrubber from "./scrubber.js"
import * as Sending from "./sending.js"
import { TransportTimeouts } from "./transportTimeouts.js"
import {
  idProblem,
  timeoutOrProblem,
  validateEndpoint,
  validateHeaderText,
  validateId,
  validateTimeout
} from "./validation.js"
import { version } from "./version.js"

export const defaultTimeout: Duration.Duration = /* @__PURE__ */ Duration.seconds(30)

const invalid = (field: string, description: string) => Effect.fail(new KpsInvalidInput({ field, description }))

const resolveEndpoint = (options: Options): Effect.Effect<string, KpsInvalidInput> =>
  options.endpoint !== undefined
    ? validateEndpoint(options.endpoint)
    : options.region !== undefined
    ? KpsRegion.endpoint(options.region)
    : invalid("endpoint", "give `region` (such as cn-north-4) or an explicit `endpoint`")

/**
 * Where the project id of a call comes from when the call names none: the options, the
 * credentials, an IAM lookup (AK/SK with a region), or nowhere (an error, before sending).
 */
const makeDefaultProjectId = (
  options: Options,
  authenticator: Authentication.Authenticator,
  exchange: Exchange.Exchange,
  headers: Readonly<Record<string, string>>,
  timeout: Duration.Duration
): Effect.Effect<string | Effect.Effect<string, KpsError>, KpsInvalidInput> =>
  Effect.gen(function*() {
    const given = options.projectId ??
      (options.credentials._tag === "AccessKey" ? options.credentials.projectId : undefined)
    if (given !== undefined) return yield* validateId("projectId", given)
    if (authenticator.lookUpProjectId === undefined || options.region === undefined) {
      return invalid(
        "projectId",
        options.credentials._tag === "AccessKey"
          ? "no project id: give `projectId`, or a `region` to look it up in IAM"
          : "no project id: give `projectId` to the client or to this call"
      )
    }
    const iamEndpoint = options.iamEndpoint !== undefined
      ? yield* validateEndpoint(options.iamEndpoint).pipe(
        Effect.mapError((error) => new KpsInvalidInput({ ...error, field: "iamEndpoint" }))
      )
      : yield* KpsRegion.iamEndpoint(options.region)
    return yield* authenticator.lookUpProjectId({ exchange, iamEndpoint, region: options.region, headers, timeout })
  })

const spanOptions = { kind: "client", captureStackTrace: false } as const

/** A call that fails its own checks, before anything is sent: its span says so. */
const invalidCall = (span: Tracer.Span, error: KpsInvalidInput) => Effect.fail(Exchange.recordFailure(span, error))

export const make = (options: Options): Effect.Effect<Service, KpsInvalidInput, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const endpoint = yield* resolveEndpoint(options)
    const defaultRequestTimeout = yield* validateTimeout("timeout", options.timeout ?? defaultTimeout)
    const authenticator = yield* Authentication.make(options.credentials)
    const userAgentSuffix = options.userAgent === undefined
      ? ""
      : yield* validateHeaderText("userAgent", options.userAgent)
    const commonHeaders = {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "User-Agent": userAgentSuffix === "" ? `effect-kps/${version}` : `effect-kps/${version} ${userAgentSuffix}`
    }

    // Credentials go on last, below any transformClient (see sending.ts). The platform's own
    // client span and trace headers are off around each exchange (see exchange.ts): each call is
    // one span of ours, and CORS preflights stay simple.
    const base = yield* HttpClient.HttpClient
    const client = (options.transformClient ?? identity)(
      Sending.make(base, authenticator.authenticate, authenticator.scrub)
    )
    const transportTimeouts = yield* TransportTimeouts
    const exchange = Exchange.make(client, authenticator.scrub, {
      transport: transportTimeouts,
      overall: !transportTimeouts || options.transformClient !== undefined
    })
    const scrubTask = (task: KeypairTask, scrub: Scrubber.Scrubber): KeypairTask => {
      const taskId = scrub(task.taskId)
      const taskStatus = task.taskStatus === undefined ? undefined : scrub(task.taskStatus)
      const serverId = task.serverId === undefined ? undefined : scrub(task.serverId)
      return taskId === task.taskId && taskStatus === task.taskStatus && serverId === task.serverId
        ? task
        : new KeypairTask({ taskId, taskStatus, serverId }, true)
    }
    const defaultProjectId = yield* makeDefaultProjectId(
      options,
      authenticator,
      exchange,
      commonHeaders,
      defaultRequestTimeout
    )

    // A peer may echo a secret into any field: the task's are scrubbed like an error's.
    const decodeTask = (taskId: string) => {
      const decode = decodeResponse(taskId)
      return (json: unknown, scrub: Scrubber.Scrubber) => Effect.map(decode(json), (task) => scrubTask(task, scrub))
    }

    /**
     * One call, every operation's: the call's own checks (run synchronously by `prepare`, which
     * may fail before anything is sent), its timeout and project id, then one exchange in the
     * call's span. `prepare` answers what to send to the project: the method, the path after
     * `/v3/{project_id}`, the body and how to read the answer.
     */
    const call = <A>(
      name: string,
      callOptions: CallOptions | undefined,
      prepare: (span: Tracer.Span) => KpsInvalidInput | Operation<A>
    ): Effect.Effect<A, KpsError> =>
      Effect.useSpan(name, spanOptions, (span) => {
        const operation = prepare(span)
        if (operation instanceof KpsInvalidInput) return invalidCall(span, operation)
        const timeout = callOptions?.timeout === undefined
          ? defaultRequestTimeout
          : timeoutOrProblem("timeout", callOptions.timeout)
        if (timeout instanceof KpsInvalidInput) return invalidCall(span, timeout)
        const secretBody = operation.body === undefined || operation.body.secrets.length === 0
          ? undefined
          : {
            body: HttpBody.unsafeJson(operation.body.body),
            scrub: Scrubber.combine(authenticator.scrub, Scrubber.make(operation.body.secrets))
          }
        // Whatever the answer holds is scrubbed of the call's secrets too.
        const scrub = secretBody?.scrub ?? authenticator.scrub
        const decode = operation.decode
        const decodeScrubbed = decode === undefined ? undefined : (json: unknown) => decode(json, scrub)
        const query = (projectId: string) => {
          const url = `${endpoint}/v3/${percentEncode(projectId)}${operation.path}`
          // The exchange adds the method, the URL and the server.
          span.attribute("kps.project_id", projectId)
          let request = HttpClientRequest.make(operation.method)(url)
          if (operation.body !== undefined) {
            request = HttpClientRequest.bodyUnsafeJson(request, operation.body.visible)
          }
          request = HttpClientRequest.setHeaders(request, { ...commonHeaders, "X-Project-Id": projectId })
          return exchange(request, {
            timeout,
            decode: decodeScrubbed,
            expected: operation.expected,
            span,
            secretBody
          })
        }
        const callProjectId = callOptions?.projectId
        if (callProjectId !== undefined) {
          const invalidProject = idProblem("projectId", callProjectId)
          return invalidProject === undefined ? query(callProjectId) : invalidCall(span, invalidProject)
        }
        return typeof defaultProjectId === "string"
          ? query(defaultProjectId)
          : Effect.flatMap(
            // A failed lookup fails the call: its span says why, as an exchange's would.
            Effect.tapError(Effect.withParentSpan(defaultProjectId, span), (error) =>
              Effect.sync(() => Exchange.recordFailure(span, error))),
            query
          )
      })

    // Runs on every poll: its checks are synchronous and the span is filled in directly.
    const getTask = (taskId: string, callOptions?: GetTaskOptions): Effect.Effect<KeypairTask, KpsError> =>
      call(
        "KpsClient.getTask",
        callOptions,
        (span) =>
          Lifecycle.onTask(span, taskId, {
            method: "GET",
            route: "tasks",
            decode: decodeTask(taskId),
            expected: "a task"
          })
      )

    const lifecycle = Lifecycle.make(call)

    return { endpoint, timeout: defaultRequestTimeout, getTask, ...lifecycle } satisfies Service
  })

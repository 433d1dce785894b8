/**
 * The behaviour every transport must share: answers as they come over the wire, and what each
 * `KpsClient` call must make of them: `getTask`, the calls that start tasks (associate,
 * disassociate, batch), the running and failed task lists, and the deletes. The Node and browser
 * transports and the `KpsTesting` stub all run these same cases, so none of them can drift; a
 * transport of your own can too.
 *
 * A runner serves each case's `answer` to whatever request comes, runs the case with {@link run}
 * over a `KpsClient` on its transport, and compares: `expect(outcome).toMatchObject(contractCase.expected)`.
 *
 * @since 0.1.0
 */
import type { AssociateRequest, BatchResult, DisassociateRequest } from "@effect-kps/core/KeypairAssociation"
import type { KeypairTask } from "@effect-kps/core/KeypairTask"
import * as KpsClient from "@effect-kps/core/KpsClient"
import type { KpsError } from "@effect-kps/core/KpsError"
import type { FailedTask, PageRequest, RunningTask, TaskPage } from "@effect-kps/core/TaskList"
import type { TaskRef } from "@effect-kps/core/TaskRef"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { lifecycleCases } from "./internal/lifecycleCases.js"
import { taskCases } from "./internal/taskCases.js"

/**
 * An HTTP answer, byte for byte: the body as text, or as bytes (a compressed one, say). A server
 * sends `Content-Length` as the body's length unless `headers` gives one.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array
}

const encoder = /* @__PURE__ */ new TextEncoder()

/**
 * The body of an answer as bytes.
 *
 * @since 0.1.0
 * @category serializing
 */
export const bodyBytes = (answer: Answer): Uint8Array =>
  typeof answer.body === "string" ? encoder.encode(answer.body) : answer.body

/**
 * An answer as an HTTP/1.1 server writes it on the socket, for test servers that must send what
 * an HTTP library would refuse to (a body after a 204, say): the status line, the headers (and
 * `extraHeaders`, such as CORS ones), `Content-Length` unless given, `Connection: close`, the body.
 *
 * @example
 * ```ts
 * import { TransportContract } from "@effect-kps/testing"
 * import { createServer } from "node:net"
 *
 * const [contractCase] = TransportContract.cases
 * const server = createServer((socket) =>
 *   socket.once("data", () => socket.end(TransportContract.serialize(contractCase.answer)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category serializing
 */
export const serialize = (answer: Answer, extraHeaders: Readonly<Record<string, string>> = {}): Uint8Array => {
  const body = bodyBytes(answer)
  const headers: Record<string, string> = { ...answer.headers, ...extraHeaders }
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-length")) {
    headers["content-length"] = String(body.length)
  }
  headers["connection"] = "close"
  const head = `HTTP/1.1 ${answer.status} Answer\r\n${
    Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")
  }\r\n`
  const headBytes = encoder.encode(head)
  const bytes = new Uint8Array(headBytes.length + body.length)
  bytes.set(headBytes)
  bytes.set(body, headBytes.length)
  return bytes
}

/**
 * The call a case makes, named after its `KpsClient` method (and, in `KpsTesting`, after the
 * stub's route it reaches), with its arguments.
 *
 * @since 0.1.0
 * @category models
 */
export type Call =
  | { readonly _tag: "getTask"; readonly taskId: string }
  | { readonly _tag: "associateKeypair"; readonly request: AssociateRequest }
  | { readonly _tag: "disassociateKeypair"; readonly request: DisassociateRequest }
  | { readonly _tag: "batchAssociateKeypairs"; readonly items: ReadonlyArray<AssociateRequest> }
  | { readonly _tag: "listRunningTasks"; readonly page?: PageRequest | undefined }
  | { readonly _tag: "listFailedTasks"; readonly page?: PageRequest | undefined }
  | { readonly _tag: "deleteFailedTask"; readonly taskId: string }
  | { readonly _tag: "deleteAllFailedTasks" }

/**
 * What each call succeeds with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Results {
  readonly getTask: KeypairTask
  readonly associateKeypair: TaskRef
  readonly disassociateKeypair: TaskRef
  readonly batchAssociateKeypairs: ReadonlyArray<BatchResult>
  readonly listRunningTasks: TaskPage<RunningTask>
  readonly listFailedTasks: TaskPage<FailedTask>
  readonly deleteFailedTask: void
  readonly deleteAllFailedTasks: void
}

/**
 * A value in part, for a partial match: any of its fields (at any depth), each array whole.
 *
 * @since 0.1.0
 * @category models
 */
export type Shape<A> = A extends ReadonlyArray<infer E> ? ReadonlyArray<Shape<E>>
  : A extends object ? { readonly [K in keyof A]?: Shape<A[K]> }
  : A

/**
 * What a case expects: success with (part of) the call's result, or failure with (part of) a
 * `KpsError`.
 *
 * @since 0.1.0
 * @category models
 */
export type Expected<A> =
  | { readonly _tag: "Success"; readonly value?: Shape<A> | undefined }
  | { readonly _tag: "Failure"; readonly error: Partial<KpsError> & Pick<KpsError, "_tag"> }

/**
 * One case: its name, the call it makes, the answer the server gives to that call's request, and
 * the outcome expected.
 *
 * @since 0.1.0
 * @category models
 */
export type Case = {
  readonly [K in Call["_tag"]]: {
    readonly name: string
    readonly call: Extract<Call, { readonly _tag: K }>
    readonly answer: Answer
    readonly expected: Expected<Results[K]>
  }
}[Call["_tag"]]

/**
 * What a call made of its answer, in the shape of {@link Case.expected}, so that one partial
 * match checks a case: `expect(outcome).toMatchObject(contractCase.expected)`.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome<A = unknown> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: KpsError }

/**
 * The cases: those of `getTask` first (by the names they always had), then those of the lifecycle
 * calls.
 *
 * @since 0.1.0
 * @category cases
 */
export const cases: ReadonlyArray<Case> = [...taskCases, ...lifecycleCases]

/**
 * A call's result in the shape of {@link Case.expected}.
 *
 * @since 0.1.0
 * @category checking
 */
export const outcome = <A>(result: Either.Either<A, KpsError>): Outcome<A> =>
  Either.match(result, {
    onRight: (value) => ({ _tag: "Success", value }) as const,
    onLeft: (error) => ({ _tag: "Failure", error }) as const
  })

const calls: {
  readonly [K in Call["_tag"]]: (
    call: Extract<Call, { readonly _tag: K }>
  ) => Effect.Effect<Results[K], KpsError, KpsClient.KpsClient>
} = {
  getTask: (call) => KpsClient.getTask(call.taskId),
  associateKeypair: (call) => KpsClient.associateKeypair(call.request),
  disassociateKeypair: (call) => KpsClient.disassociateKeypair(call.request),
  batchAssociateKeypairs: (call) => KpsClient.batchAssociateKeypairs(call.items),
  listRunningTasks: (call) => KpsClient.listRunningTasks(call.page),
  listFailedTasks: (call) => KpsClient.listFailedTasks(call.page),
  deleteFailedTask: (call) => KpsClient.deleteFailedTask(call.taskId),
  deleteAllFailedTasks: () => KpsClient.deleteAllFailedTasks()
}

/**
 * Makes a case's call with the `KpsClient` in context, and gives its {@link outcome}: the one way
 * to run any case, whatever it calls.
 *
 * @example
 * ```ts
 * import { KpsTesting, TransportContract } from "@effect-kps/testing"
 * import { Effect } from "effect"
 *
 * // On the stub: the case's answer scripted on the route its call reaches.
 * const [contractCase] = TransportContract.cases
 * const outcome = TransportContract.run(contractCase).pipe(
 *   Effect.provide(KpsTesting.layerClient({
 *     routes: {
 *       [contractCase.call._tag]: [
 *         KpsTesting.raw(contractCase.answer.status, contractCase.answer.body, { headers: contractCase.answer.headers })
 *       ]
 *     }
 *   }))
 * )
 * // expect(yield* outcome).toMatchObject(contractCase.expected)
 * ```
 *
 * @since 0.1.0
 * @category checking
 */
export const run = (contractCase: Case): Effect.Effect<Outcome, never, KpsClient.KpsClient> => {
  // The table's entry takes this very call: TypeScript cannot correlate the two unions by itself.
  const call = calls[contractCase.call._tag] as (call: Call) => Effect.Effect<unknown, KpsError, KpsClient.KpsClient>
  return Effect.map(Effect.either(call(contractCase.call)), outcome)
}

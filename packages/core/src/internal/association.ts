/** Associate, disassociate and batch requests: checked before sending, written to the wire, and their answers read. */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  type AssociateRequest,
  BatchItemError,
  type BatchResult,
  type DisassociateRequest,
  maxBatchSize,
  type ServerAuth
} from "../KeypairAssociation.js"
import { KpsInvalidInput } from "../KpsError.js"
import { TaskRef } from "../TaskRef.js"
import * as ErrorBody from "./errorBody.js"
import * as Scrubber from "./scrubber.js"
import { idProblem } from "./validation.js"

/** The longest key pair name KPS takes. */
export const maxNameLength = 64
/** Longer than any password or private key (an RSA 4096 key in PEM is about 3.3 KB). */
export const maxKeyLength = 16_384

const controlCharacters = /[\p{C}]/u

/** A request as it goes on the wire, and the secrets it carries. */
export interface Prepared {
  /** The body with every secret in place. */
  readonly body: unknown
  /** The body with every secret replaced: what anything above the sending step sees. */
  readonly visible: unknown
  readonly secrets: ReadonlyArray<string>
}

type Wire = Record<string, unknown>

const problem = (field: string, description: string) => new KpsInvalidInput({ field, description })

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

const checkAuth = (field: string, auth: unknown): KpsInvalidInput | readonly [Wire, Wire, string] => {
  if (!isRecord(auth)) return problem(field, "must be { type, key }")
  const { key, type } = auth as Partial<ServerAuth>
  if (type !== "password" && type !== "keypair") return problem(`${field}.type`, `must be "password" or "keypair"`)
  if (!Redacted.isRedacted(key)) {
    return problem(`${field}.key`, "must be a Redacted string (Redacted.make(...)): it is a secret")
  }
  const secret = Redacted.value(key)
  if (typeof secret !== "string" || secret.length === 0) return problem(`${field}.key`, "must not be empty")
  if (secret.length > maxKeyLength) return problem(`${field}.key`, `must be at most ${maxKeyLength} characters`)
  return [{ type, key: secret }, { type, key: Scrubber.redacted }, secret]
}

/** The wire `server` object (both forms), or what is wrong with it. */
const checkServer = (
  field: string,
  server: unknown,
  withOptions: boolean
): KpsInvalidInput | { readonly body: Wire; readonly visible: Wire; readonly secret: string | undefined } => {
  if (!isRecord(server)) return problem(field, "must be an object with the server's id")
  const idIssue = idProblem(`${field}.id`, server.id)
  if (idIssue !== undefined) return idIssue
  const body: Wire = { id: server.id }
  const visible: Wire = { id: server.id }
  let secret: string | undefined
  if (server.auth !== undefined) {
    const auth = checkAuth(`${field}.auth`, server.auth)
    if (auth instanceof KpsInvalidInput) return auth
    body.auth = auth[0]
    visible.auth = auth[1]
    secret = auth[2]
  }
  if (withOptions) {
    const { disablePassword, port } = server
    if (disablePassword !== undefined) {
      if (typeof disablePassword !== "boolean") return problem(`${field}.disablePassword`, "must be true or false")
      body.disable_password = visible.disable_password = disablePassword
    }
    if (port !== undefined) {
      if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
        return problem(`${field}.port`, "must be a whole number from 1 to 65535")
      }
      body.port = visible.port = port
    }
  }
  return { body, visible, secret }
}

const checkName = (field: string, name: unknown): KpsInvalidInput | undefined => {
  if (typeof name !== "string") return problem(field, `must be a string, got ${typeof name}`)
  if (name.length === 0) return problem(field, "must not be empty")
  if (name.length > maxNameLength) return problem(field, `must be at most ${maxNameLength} characters`)
  if (controlCharacters.test(name)) return problem(field, "must not contain control characters")
  return undefined
}

const secretsOf = (secret: string | undefined): ReadonlyArray<string> => secret === undefined ? [] : [secret]

/** The wire item of one associate request, or what is wrong with it. */
const associateItem = (field: string, request: unknown): KpsInvalidInput | Prepared => {
  if (!isRecord(request)) return problem(field, "must be { keypairName, server }")
  const nameIssue = checkName(`${field === "" ? "" : `${field}.`}keypairName`, request.keypairName)
  if (nameIssue !== undefined) return nameIssue
  const server = checkServer(`${field === "" ? "" : `${field}.`}server`, request.server, true)
  if (server instanceof KpsInvalidInput) return server
  return {
    body: { keypair_name: request.keypairName, server: server.body },
    visible: { keypair_name: request.keypairName, server: server.visible },
    secrets: secretsOf(server.secret)
  }
}

export const associate = (request: AssociateRequest): KpsInvalidInput | Prepared => associateItem("", request)

export const disassociate = (request: DisassociateRequest): KpsInvalidInput | Prepared => {
  if (!isRecord(request)) return problem("server", "must be { server: { id } }")
  const server = checkServer("server", request.server, false)
  if (server instanceof KpsInvalidInput) return server
  return { body: { server: server.body }, visible: { server: server.visible }, secrets: secretsOf(server.secret) }
}

export const batch = (items: ReadonlyArray<AssociateRequest>): KpsInvalidInput | Prepared => {
  if (!Array.isArray(items)) return problem("items", "must be an array of associate requests")
  if (items.length === 0) return problem("items", "must name at least one server")
  if (items.length > maxBatchSize) {
    return problem("items", `must name at most ${maxBatchSize} servers, got ${items.length}`)
  }
  const prepared: Array<Prepared> = []
  for (let index = 0; index < items.length; index++) {
    const item = associateItem(`items[${index}]`, items[index])
    if (item instanceof KpsInvalidInput) return item
    prepared.push(item)
  }
  return {
    body: { batch_keypairs: prepared.map((item) => item.body) },
    visible: { batch_keypairs: prepared.map((item) => item.visible) },
    secrets: prepared.flatMap((item) => item.secrets)
  }
}

const OptionalText = /* @__PURE__ */ Schema.optional(Schema.NullOr(Schema.String))

const decodeAccepted = /* @__PURE__ */ Schema.decodeUnknown(
  Schema.Struct({ task_id: Schema.NonEmptyString, server_id: OptionalText }),
  { onExcessProperty: "ignore" }
)

/** The 202 of associate and disassociate: the task to wait on, its fields scrubbed. */
export const decodeTaskRef = (
  json: unknown,
  scrub: Scrubber.Scrubber
): Effect.Effect<TaskRef, ParseResult.ParseError> =>
  Effect.map(decodeAccepted(json), (wire) =>
    new TaskRef({
      taskId: scrub(wire.task_id),
      serverId: wire.server_id == null ? undefined : scrub(wire.server_id)
    }, true))

const BatchItem = /* @__PURE__ */ Schema.Struct({
  task_id: OptionalText,
  server_id: OptionalText,
  status: OptionalText,
  error_code: OptionalText,
  error_msg: OptionalText
})

const decodeBatch = /* @__PURE__ */ Schema.decodeUnknown(
  Schema.Struct({ tasks: Schema.Array(BatchItem) }),
  { onExcessProperty: "ignore" }
)

/** What KPS calls a server it started no task for. */
const failedStatus = /fail|error/i

/**
 * The batch answer, one result per server of the request in its order. An answer item is matched
 * by `server_id`, else by position; a server the answer does not mention gets a result that says so.
 */
export const decodeBatchResults =
  (serverIds: ReadonlyArray<string>) =>
  (json: unknown, scrub: Scrubber.Scrubber): Effect.Effect<ReadonlyArray<BatchResult>, ParseResult.ParseError> =>
    Effect.map(decodeBatch(json), ({ tasks }) => {
      const byServer = new Map<string, typeof BatchItem.Type>()
      for (const item of tasks) {
        if (item.server_id != null && !byServer.has(item.server_id)) byServer.set(item.server_id, item)
      }
      return serverIds.map((serverId, index): BatchResult => {
        const positional = tasks[index]
        const item = byServer.get(serverId) ?? (positional?.server_id == null ? positional : undefined)
        const text = (value: string | null | undefined, limit: number) =>
          value == null ? "" : ErrorBody.keep(scrub, value, limit)
        if (item === undefined) {
          return Either.left(
            new BatchItemError({ serverId, errorCode: "", errorMessage: "the answer names no task for this server" })
          )
        }
        const errorCode = text(item.error_code, ErrorBody.limits.errorCode)
        const started = item.task_id != null && item.task_id !== "" && errorCode === "" &&
          !(item.status != null && failedStatus.test(item.status))
        return started
          ? Either.right(new TaskRef({ taskId: scrub(item.task_id!), serverId }, true))
          : Either.left(
            new BatchItemError({
              serverId,
              errorCode,
              errorMessage: text(item.error_msg, ErrorBody.limits.errorMessage) ||
                (item.task_id == null || item.task_id === "" ? "the answer names no task" : "")
            })
          )
      })
    })

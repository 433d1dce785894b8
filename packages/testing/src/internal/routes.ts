/** The gateway's routing: which API a method and path name, or the 404 `APIG.0101` they get. */
import * as Gateway from "../Gateway.js"
import type { Route } from "./models.js"

/** A route of the stub, or IAM's project lookup. */
export type Name = Route | "projects"

interface Entry {
  readonly method: string
  readonly pattern: RegExp
  readonly name: Name
}

// In the emulator's order, so that `Allow` names methods alike. Paths end the URL's path; before
// `/v3` may come the endpoint's own prefix. The most frequent request, a task's, is tried first.
const table: ReadonlyArray<Entry> = [
  { method: "GET", pattern: /\/v3\/([^/]+)\/tasks\/([^/]+)$/, name: "getTask" },
  { method: "POST", pattern: /\/v3\/([^/]+)\/keypairs\/associate$/, name: "associateKeypair" },
  { method: "POST", pattern: /\/v3\/([^/]+)\/keypairs\/disassociate$/, name: "disassociateKeypair" },
  { method: "POST", pattern: /\/v3\/([^/]+)\/keypairs\/batch-associate$/, name: "batchAssociateKeypairs" },
  { method: "GET", pattern: /\/v3\/([^/]+)\/running-tasks$/, name: "listRunningTasks" },
  { method: "GET", pattern: /\/v3\/([^/]+)\/failed-tasks$/, name: "listFailedTasks" },
  { method: "DELETE", pattern: /\/v3\/([^/]+)\/failed-tasks$/, name: "deleteAllFailedTasks" },
  { method: "DELETE", pattern: /\/v3\/([^/]+)\/failed-tasks\/([^/]+)$/, name: "deleteFailedTask" },
  { method: "GET", pattern: /\/v3\/projects$/, name: "projects" }
]

/** A request matched to a route: its name, and the task id its path names, percent-decoded. */
export interface Match {
  readonly name: Name
  readonly taskId: string | undefined
}

/**
 * The route of a request, or the gateway's 404 for it: a path that no route has, or one that
 * routes have for other methods only (then `Allow` names them). A task id that is not valid
 * percent-encoding names no route either.
 */
export const match = (method: string, pathname: string): Match | Gateway.GatewayError => {
  let allowed: Array<string> | undefined
  for (const entry of table) {
    const found = entry.pattern.exec(pathname)
    if (found === null) continue
    if (entry.method !== method) {
      ;(allowed ??= []).push(entry.method)
      continue
    }
    if (found[2] === undefined) return { name: entry.name, taskId: undefined }
    const taskId = Gateway.decodeSegment(found[2])
    return taskId === undefined ? Gateway.routeNotFound() : { name: entry.name, taskId }
  }
  return Gateway.routeNotFound(allowed)
}

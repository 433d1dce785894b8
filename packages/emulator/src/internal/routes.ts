/** The routes of spec sections 1, 5 and 6, and how a request path finds one. */

export type RouteName =
  | "getTask"
  | "associate"
  | "disassociate"
  | "batchAssociate"
  | "runningTasks"
  | "failedTasks"
  | "deleteFailedTasks"
  | "deleteFailedTask"
  | "projects"

interface Route {
  readonly name: RouteName
  readonly method: "GET" | "POST" | "DELETE"
  /** Literal segments, or `:project` / `:task` for a path parameter. */
  readonly segments: ReadonlyArray<string>
}

const routes: ReadonlyArray<Route> = [
  { name: "getTask", method: "GET", segments: ["v3", ":project", "tasks", ":task"] },
  { name: "associate", method: "POST", segments: ["v3", ":project", "keypairs", "associate"] },
  { name: "disassociate", method: "POST", segments: ["v3", ":project", "keypairs", "disassociate"] },
  { name: "batchAssociate", method: "POST", segments: ["v3", ":project", "keypairs", "batch-associate"] },
  { name: "runningTasks", method: "GET", segments: ["v3", ":project", "running-tasks"] },
  { name: "failedTasks", method: "GET", segments: ["v3", ":project", "failed-tasks"] },
  { name: "deleteFailedTasks", method: "DELETE", segments: ["v3", ":project", "failed-tasks"] },
  { name: "deleteFailedTask", method: "DELETE", segments: ["v3", ":project", "failed-tasks", ":task"] },
  // IAM's project lookup (section 5), so that AK/SK clients without a project id work too.
  { name: "projects", method: "GET", segments: ["v3", "projects"] }
]

/** A route found, with its raw (still percent-encoded) path parameters. */
export interface Match {
  readonly _tag: "Match"
  readonly route: RouteName
  readonly projectId: string | undefined
  readonly taskId: string | undefined
}

export type Resolution =
  | Match
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "MethodNotAllowed"; readonly allowed: ReadonlyArray<string> }

const matches = (route: Route, segments: ReadonlyArray<string>): boolean =>
  route.segments.length === segments.length &&
  route.segments.every((expected, i) =>
    expected.startsWith(":") ?
      segments[i] !== "" && !(expected === ":project" && segments[i] === "projects") :
      expected === segments[i]
  )

/** Finds the route of a method and path (without query). */
export const resolve = (method: string, pathname: string): Resolution => {
  if (!pathname.startsWith("/")) return { _tag: "NotFound" }
  const segments = pathname.slice(1).split("/")
  const candidates = routes.filter((route) => matches(route, segments))
  if (candidates.length === 0) return { _tag: "NotFound" }
  const route = candidates.find((candidate) => candidate.method === method)
  if (route === undefined) return { _tag: "MethodNotAllowed", allowed: candidates.map((candidate) => candidate.method) }
  const param = (name: string) => {
    const index = route.segments.indexOf(name)
    return index === -1 ? undefined : segments[index]
  }
  return { _tag: "Match", route: route.name, projectId: param(":project"), taskId: param(":task") }
}

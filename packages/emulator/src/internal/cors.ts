/**
 * CORS, for pages on other origins (a dev server's) that call the emulator from a browser, for
 * the origins of `Options.cors`: the answer to a preflight of a route, and the headers every
 * answer to an allowed origin carries. Without `cors` there is none of it: a preflight gets the
 * gateway's 404, as any `OPTIONS` does (Huawei documents no CORS for KPS).
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Either from "effect/Either"

/** The origins allowed: any (`*`), or these, serialized as browsers send them in `Origin`. */
export type Policy = "*" | ReadonlySet<string>

/** The methods of the routes. */
export const allowMethods = "GET, POST, DELETE"

/**
 * What a client sends beyond the CORS-safelisted headers (`Accept` is one): JSON bodies, the
 * project, a token, or an AK/SK signature with its date and security token, and the body hash
 * the official SDKs may send.
 */
export const allowHeaders = [
  "Content-Type",
  "X-Project-Id",
  "X-Auth-Token",
  "Authorization",
  "X-Sdk-Date",
  "X-Security-Token",
  "X-Sdk-Content-Sha256"
].join(", ")

/** What a client reads from an answer beyond the safelisted headers: errors' ids, throttling's delay. */
export const exposeHeaders = "X-Request-Id, Retry-After"

/** How long a browser may reuse a preflight's answer, in seconds. */
export const maxAgeSeconds = 600

const example = "http://localhost:5173"

/** An origin as a browser sends it (`http://localhost:5173`), or what is wrong with `text`. */
const origin = (text: unknown): Either.Either<string, string> => {
  if (typeof text !== "string") return Either.left(`cors origins must be strings, such as ${example}`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left(`cors origin ${JSON.stringify(text)} is not a URL: write it as ${example}`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(`cors origin ${JSON.stringify(text)} must use http or https`)
  }
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    return Either.left(
      `cors origin ${JSON.stringify(text)} must be a scheme, a host and a port only, such as ${example}`
    )
  }
  return Either.right(url.origin)
}

/**
 * The policy of `Options.cors`: `undefined` (none), `"*"`, or a list of origins, each checked and
 * serialized as browsers send it (lower-case host, no default port, no trailing slash).
 */
export const policy = (cors: unknown): Either.Either<Policy | undefined, string> => {
  if (cors === undefined || cors === "*") return Either.right(cors)
  if (!Array.isArray(cors)) return Either.left(`cors must be a list of origins, such as ["${example}"], or "*"`)
  const origins = new Set<string>()
  for (const entry of cors) {
    if (entry === "*") return Either.left(`cors: "*" allows every origin on its own; give it alone, not in a list`)
    const checked = origin(entry)
    if (Either.isLeft(checked)) return Either.left(checked.left)
    origins.add(checked.right)
  }
  return Either.right(origins)
}

/** The request's `Origin`, when the policy allows it. */
const allowedOrigin = (policy: Policy, request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const origin = request.headers["origin"]
  return origin !== undefined && (policy === "*" || policy.has(origin)) ? origin : undefined
}

/** A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) from an allowed origin. */
export const isAllowedPreflight = (policy: Policy, request: HttpServerRequest.HttpServerRequest): boolean =>
  request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined &&
  allowedOrigin(policy, request) !== undefined

/**
 * What a route answers a preflight with: the methods and headers a client uses, for
 * {@link maxAgeSeconds}. The origin's headers are every answer's ({@link headers}).
 */
export const preflight: HttpServerResponse.HttpServerResponse = /* @__PURE__ */ HttpServerResponse.empty({
  status: 204,
  headers: {
    "access-control-allow-methods": allowMethods,
    "access-control-allow-headers": allowHeaders,
    "access-control-max-age": String(maxAgeSeconds)
  }
})

/**
 * The CORS headers of an answer, whatever it is (a preflight's, a task, an error, a 401): for an
 * allowed origin, that origin and the headers exposed to it; for any other, none. The answer
 * depends on `Origin` whenever there is a policy, which `Vary` tells caches.
 */
export const headers = (
  policy: Policy | undefined,
  request: HttpServerRequest.HttpServerRequest
): Readonly<Record<string, string>> => {
  if (policy === undefined) return {}
  const origin = allowedOrigin(policy, request)
  return origin === undefined ? { vary: "Origin" } : {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": exposeHeaders,
    vary: "Origin"
  }
}

import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type { KpsError } from "../KpsError.js"
import { KpsInvalidInput } from "../KpsError.js"
import type { ProjectLookup } from "./authentication.js"
import { validateId } from "./validation.js"

const Projects = /* @__PURE__ */ Schema.Struct({
  projects: Schema.Array(Schema.Struct({ id: Schema.String, name: Schema.optional(Schema.String) }))
})

const decodeProjects = /* @__PURE__ */ Schema.decodeUnknown(Projects)

/**
 * Looks a project id up in IAM, as the Go SDK does for AK/SK credentials without one:
 * `GET {iam}/v3/projects?name={region}`, signed, without `X-Project-Id`. Exactly one project is
 * the answer; none or several is an error that says which. A project is never created.
 *
 * The answer is cached for the life of the client; concurrent first calls wait for one lookup,
 * and a failed lookup is not cached, so the next call tries again.
 */
export const makeResolver = (options: ProjectLookup): Effect.Effect<Effect.Effect<string, KpsError>> =>
  Effect.map(SynchronizedRef.make(Option.none<string>()), (cache) => {
    const lookup = Effect.useSpan(
      "KpsClient.resolveProjectId",
      { kind: "client", captureStackTrace: false, attributes: { "kps.region": options.region } },
      (span) =>
        Effect.gen(function*() {
          const request = HttpClientRequest.get(`${options.iamEndpoint}/v3/projects`).pipe(
            HttpClientRequest.setUrlParam("name", options.region),
            HttpClientRequest.setHeaders(options.headers)
          )
          const { projects } = yield* options.exchange(request, {
            timeout: options.timeout,
            decode: decodeProjects,
            expected: "an IAM project list",
            span
          })
          if (projects.length !== 1) {
            return yield* new KpsInvalidInput({
              field: "projectId",
              description: projects.length === 0
                ? `IAM has no project named ${options.region} for these credentials: give projectId`
                : `IAM lists ${projects.length} projects named ${options.region} (${
                  projects.map((project) => project.id).join(", ")
                }): give projectId`
            })
          }
          return yield* validateId("projectId", projects[0].id)
        }).pipe(Effect.withParentSpan(span))
    )

    return SynchronizedRef.modifyEffect(cache, (cached) =>
      Option.match(cached, {
        onSome: (id) => Effect.succeed([id, cached] as const),
        onNone: () => Effect.map(lookup, (id) => [id, Option.some(id)] as const)
      }))
  })

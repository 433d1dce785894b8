import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { KpsResponse } from "./response.js"
import type * as Scrubber from "./scrubber.js"

/**
 * A request body that holds a secret (a server's password or private key), with the scrubber
 * that knows it. It goes on with the credentials, as the last step: everything above sees the
 * request with the secret replaced, so a `transformClient` that logs requests logs no secret.
 */
export interface SecretBody {
  readonly body: HttpBody.HttpBody
  readonly scrub: Scrubber.Scrubber
}

/** The secret body of the request being sent, set around the exchange that sends it. */
export const currentSecretBody: FiberRef.FiberRef<SecretBody | undefined> = /* @__PURE__ */ FiberRef.unsafeMake<
  SecretBody | undefined
>(undefined)

/** The processing steps of a platform `HttpClient`: see {@link make} for why they are read. */
export interface Processing {
  readonly preprocess: HttpClient.HttpClient.Preprocess<HttpClientError.HttpClientError, never>
  readonly postprocess: HttpClient.HttpClient.Postprocess<HttpClientError.HttpClientError, never>
}

/**
 * Whether a client exposes its processing steps. Every client that `HttpClient.make` and
 * `HttpClient.makeWith` build does (they are the fields `execute` runs: a test pins this), though
 * the public interface does not name them.
 */
export const hasProcessing = (client: object): client is Processing =>
  typeof (client as Partial<Processing>).preprocess === "function" &&
  typeof (client as Partial<Processing>).postprocess === "function"

const described = (error: HttpClientError.HttpClientError) =>
  error.description === undefined ? { cause: error.cause } : { cause: error.cause, description: error.description }

/**
 * The base client, with authentication as the very last step before it sends: after every request
 * mapping, the base client's own and any in `transformClient`, so a signature covers the request as
 * sent; and again on every attempt, so a retry is signed with a fresh date.
 * (`HttpClient.mapRequestEffect` would run before mappings added on top of it.)
 *
 * Everything above this step sees the request as it was before authentication: answers are
 * {@link KpsResponse}s of that request, and the transport's errors are rebuilt around it. So no
 * code of the user's, printing a request, an answer or an error, can print a secret header.
 */
export const make = (
  base: HttpClient.HttpClient,
  authenticate: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest>,
  scrub: Scrubber.Scrubber
): HttpClient.HttpClient => {
  const answer =
    (visible: HttpClientRequest.HttpClientRequest, scrub: Scrubber.Scrubber) =>
    (response: HttpClientResponse.HttpClientResponse) => new KpsResponse(visible, response, scrub)
  const hide =
    (visible: HttpClientRequest.HttpClientRequest, scrub: Scrubber.Scrubber) =>
    (error: HttpClientError.HttpClientError): HttpClientError.HttpClientError =>
      error._tag === "RequestError"
        ? new HttpClientError.RequestError({ ...described(error), request: visible, reason: error.reason })
        : new HttpClientError.ResponseError({
          ...described(error),
          request: visible,
          response: answer(visible, scrub)(error.response),
          reason: error.reason
        })
  const send = (
    visible: HttpClientRequest.HttpClientRequest,
    execute: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<
      HttpClientResponse.HttpClientResponse,
      HttpClientError.HttpClientError
    >
  ) =>
    Effect.flatMap(FiberRef.get(currentSecretBody), (secret) => {
      const callScrub = secret === undefined ? scrub : secret.scrub
      const complete = secret === undefined ? visible : HttpClientRequest.setBody(visible, secret.body)
      return Effect.flatMap(authenticate(complete), execute).pipe(
        Effect.mapBoth({ onFailure: hide(visible, callScrub), onSuccess: answer(visible, callScrub) })
      )
    })
  return hasProcessing(base)
    ? HttpClient.makeWith<HttpClientError.HttpClientError, never, HttpClientError.HttpClientError, never>(
      (request) =>
        Effect.flatMap(request, (visible) => send(visible, (signed) => base.postprocess(Effect.succeed(signed)))),
      base.preprocess
    )
    : HttpClient.makeWith<HttpClientError.HttpClientError, never, HttpClientError.HttpClientError, never>(
      (request) => Effect.flatMap(request, (visible) => send(visible, base.execute)),
      Effect.succeed
    )
}

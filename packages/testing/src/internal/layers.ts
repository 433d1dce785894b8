/** The stub as layers: its `HttpClient` and control service, with or without a `KpsClient`. */
import * as Credentials from "@effect-kps/core/Credentials"
import * as KpsClient from "@effect-kps/core/KpsClient"
import type { KpsInvalidInput } from "@effect-kps/core/KpsError"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Scenario } from "./models.js"
import { KpsTesting } from "./service.js"
import * as stub from "./stub.js"

/**
 * The project id {@link layerClient} uses unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const projectId = "0123456789abcdef0123456789abcdef"

/**
 * The endpoint {@link layerClient} uses unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const endpoint = "https://kms.cn-north-4.myhuaweicloud.com"

/**
 * The stub as an `HttpClient` layer, with its {@link KpsTesting} control service. The timelines
 * start when the layer is built. Like the Node transport, the stub enforces request timeouts
 * itself (it provides `KpsClient.TransportTimeouts`), and only on answers that take time (a
 * `latency`, a `hang`): an answer given at once leaves no timer on the clock.
 *
 * @example
 * ```ts
 * import { Credentials, KpsClient } from "@effect-kps/core"
 * import { KpsTesting } from "@effect-kps/testing"
 * import { Layer, Redacted } from "effect"
 *
 * const TestLive = KpsClient.layer({
 *   endpoint: KpsTesting.endpoint,
 *   projectId: KpsTesting.projectId,
 *   credentials: Credentials.token(Redacted.make("test-token"))
 * }).pipe(Layer.provideMerge(KpsTesting.layer({ tasks: { "t-1": [KpsTesting.status("SUCCESS_BIND")] } })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  scenario: Scenario
): Layer.Layer<HttpClient.HttpClient | KpsTesting | KpsClient.TransportTimeouts> =>
  Layer.effectContext(
    Effect.map(stub.make(scenario, projectId), ({ client, control }) =>
      Context.make(KpsTesting, control).pipe(
        Context.add(HttpClient.HttpClient, client),
        // Like the Node transport, the stub times requests out itself.
        Context.add(KpsClient.TransportTimeouts, true)
      ))
  )

/**
 * The stub with a `KpsClient` on top: endpoint {@link endpoint}, project {@link projectId}, a
 * test token, and any client options you give.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  scenario: Scenario,
  options?: Partial<KpsClient.Options>
): Layer.Layer<
  KpsClient.KpsClient | HttpClient.HttpClient | KpsTesting | KpsClient.TransportTimeouts,
  KpsInvalidInput
> =>
  KpsClient.layer({
    endpoint,
    projectId,
    credentials: Credentials.token("stub-token"),
    ...options
  }).pipe(Layer.provideMerge(layer(scenario)))

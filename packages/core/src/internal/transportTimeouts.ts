import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"

/** Whether the transport aborts requests on `currentRequestTimeout` itself. */
export class TransportTimeouts extends /* @__PURE__ */ Context.Reference<TransportTimeouts>()(
  "@effect-kps/core/KpsClient/TransportTimeouts",
  { defaultValue: () => false }
) {}

/** The timeout of the request being sent, for transports that enforce it. */
export const currentRequestTimeout: FiberRef.FiberRef<Duration.Duration | undefined> = /* @__PURE__ */ globalValue(
  "@effect-kps/core/KpsClient/currentRequestTimeout",
  () => FiberRef.unsafeMake<Duration.Duration | undefined>(undefined)
)

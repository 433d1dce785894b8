/**
 * Where a durable wait's requests ask for leave to go out: an engine that shares one limit among
 * many processes provides a `RequestGate`; without one, requests go out at once.
 */
import type * as KpsError from "@effect-kps/core/KpsError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
/** Admits this process's next request to KPS: succeeds when it may go out. */
export class RequestGate extends Context.Tag("@effect-kps/workflow/RequestGate")<RequestGate, {
  readonly admit: Effect.Effect<void, KpsError.KpsError>
}>() {}

/** Waits for the gate in context, if any (engines without one send at once). */
export const admit: Effect.Effect<void, KpsError.KpsError> = Effect.flatMap(
  Effect.serviceOption(RequestGate),
  Option.match({ onNone: () => Effect.void, onSome: (gate) => gate.admit })
)

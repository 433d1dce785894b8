/**
 * One gate for a fleet's requests to KPS: every poll of every runner passes through one
 * `@effect/cluster` entity, keyed by the account, that admits at most `limit` requests in any
 * window. The cluster keeps the entity on one runner at a time, so the limit holds for the whole
 * fleet, wherever the entity runs.
 */
import * as KpsError from "@effect-kps/core/KpsError"
import * as Entity from "@effect/cluster/Entity"
import type * as Sharding from "@effect/cluster/Sharding"
import * as Rpc from "@effect/rpc/Rpc"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { RequestGate } from "./requestGate.js"

/**
 * The gate's protocol: `Admit` answers when one request may go out, with the time (the gate's
 * `Clock`, epoch milliseconds) it gave leave.
 */
export const Gate = Entity.make("kps/RequestGate", [Rpc.make("Admit", { success: Schema.Number })])

/**
 * The time between admitting a request and its arrival at KPS (a reply crossing the cluster, a
 * busy runner, the request crossing the network) varies: a request that arrives late may arrive
 * bunched with the ones admitted after it. So a leave is good for `freshness` only (older, it is
 * asked for again), and the gate counts each window `guard` longer: a request may reach KPS up to
 * `guard` after its leave, `freshness` of it before it goes out and the rest after, and arrivals
 * still keep to the limit.
 */
export const freshness: Duration.Duration = Duration.millis(100)

/** See {@link freshness}. */
export const guard: Duration.Duration = Duration.millis(300)

/** How many times a request asks the gate again for leave that was stale when it came. */
const staleRetries = 20

/** What the gate admits: `limit` requests in any `window`, for the account named `account`. */
export interface Options {
  readonly limit: number
  readonly window: Duration.Duration
  readonly account: string
}

/**
 * One gate: a single fiber admits the waiting requests in order, each one `window` (plus the
 * guard) after the one admitted `limit` places before it, and evenly: never sooner than
 * `1/limit` of that after the one just before it, so a gate that was held up (a busy runner)
 * goes on at its pace rather than admitting a burst. Times are taken when a request is actually
 * admitted. A gate that starts (first, or after its runner stopped and another took it over)
 * counts `limit` requests as just admitted: the runner it replaces may have sent them a moment ago.
 * A request whose asker gave up before its turn (interrupted) takes no place.
 */
export const makeGate = (options: Options) =>
  Effect.gen(function*() {
    const spacing = Duration.toMillis(options.window) + Duration.toMillis(guard)
    const pace = spacing / options.limit
    const waiting = yield* Effect.acquireRelease(Queue.unbounded<Deferred.Deferred<number>>(), Queue.shutdown)
    const startedAt = yield* Clock.currentTimeMillis
    // The times of the last `limit` admissions, oldest at `next`.
    const admitted: Array<number> = Array.from({ length: options.limit }, () => startedAt)
    let next = 0
    const admitOne = Effect.gen(function*() {
      const waiter = yield* Queue.take(waiting)
      const now = yield* Clock.currentTimeMillis
      const latest = admitted[(next + options.limit - 1) % options.limit]
      const free = Math.max(admitted[next] + spacing, latest + pace)
      if (free > now) yield* Effect.sleep(free - now)
      if (yield* Deferred.isDone(waiter)) return
      const at = yield* Clock.currentTimeMillis
      admitted[next] = at
      next = (next + 1) % options.limit
      yield* Deferred.succeed(waiter, at)
    })
    yield* Effect.forkScoped(Effect.forever(admitOne))
    return Gate.of({
      Admit: () =>
        Effect.flatMap(Deferred.make<number>(), (waiter) =>
          Effect.zipRight(Queue.offer(waiting, waiter), waiter).pipe(
            Effect.onInterrupt(() => Deferred.interrupt(waiter))
          ))
    })
  })

/**
 * Registers the gate's entity with the runner (when it runs entities) and provides the
 * `RequestGate` that asks it. The answer may be lost when the gate's runner stops: the request
 * asks again (a bounded number of times, then fails as a transport error the wait retries).
 */
export const layer = (options: Options): Layer.Layer<RequestGate, never, Sharding.Sharding> =>
  Layer.effect(
    RequestGate,
    Effect.map(Gate.client, (client) => {
      const gate = client(options.account)
      const retry = Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(120)))
      const ask = gate.Admit().pipe(
        Effect.sandbox,
        Effect.retry(retry),
        Effect.catchAll(() =>
          new KpsError.KpsTransportError({
            reason: "Transport",
            description: `the fleet's request gate for account ${options.account} did not answer`
          })
        )
      )
      const fresh = Effect.flatMap(
        ask,
        (granted) => Effect.map(Clock.currentTimeMillis, (now) => now - granted <= Duration.toMillis(freshness))
      )
      return RequestGate.of({
        admit: Effect.repeat(fresh, { until: (ok) => ok, times: staleRetries }).pipe(
          Effect.flatMap((ok) =>
            ok ? Effect.void : new KpsError.KpsTransportError({
              reason: "Transport",
              description: `the fleet's request gate for account ${options.account} gave only stale leave`
            })
          )
        )
      })
    })
  ).pipe(
    Layer.provideMerge(Gate.toLayer(makeGate(options), { concurrency: "unbounded" }))
  )

/** Where a timeline stands: which step is current at a time on the `Clock`, and what it counts. */
import * as Duration from "effect/Duration"
import type { Reply, Step, Timeline } from "./models.js"

/** A position in a timeline: a task's, or a route's. */
export interface Cursor {
  readonly timeline: Timeline
  readonly index: number
  /** When the current step started, in ms on the Clock. */
  readonly stepStart: number
  /** Requests the current step has answered. */
  readonly served: number
}

export const start = (timeline: Timeline, now: number): Cursor => ({ timeline, index: 0, stepStart: now, served: 0 })

const stepEnded = (step: Step, cursor: Cursor, now: number): number | undefined => {
  if (step.for !== undefined && now - cursor.stepStart >= Duration.toMillis(step.for)) {
    return cursor.stepStart + Duration.toMillis(step.for)
  }
  if (step.times !== undefined && cursor.served >= step.times) return now
  return undefined
}

/**
 * The cursor moved to the step that is current at `now`, without counting a request: what a
 * request arriving now would meet. Pure, so that looking (a list of tasks) changes nothing.
 */
export const settle = (cursor: Cursor, now: number): Cursor => {
  let current = cursor
  while (current.index < current.timeline.length - 1) {
    const nextStart = stepEnded(current.timeline[current.index], current, now)
    if (nextStart === undefined) break
    current = { ...current, index: current.index + 1, stepStart: nextStart, served: 0 }
  }
  return current
}

/** The step a request arriving at `now` meets (`undefined` for an empty timeline), and the cursor after it. */
export const advance = (cursor: Cursor, now: number): readonly [Step | undefined, Cursor] => {
  if (cursor.timeline.length === 0) return [undefined, cursor]
  const current = settle(cursor, now)
  return [current.timeline[current.index], { ...current, served: current.served + 1 }]
}

type TaskReply = Extract<Reply, { readonly _tag: "Task" }>

/**
 * The task answer that stands for a task's state at a settled cursor: the current step's; when the
 * current step is a fault (an error, a raw answer, no answer), the last task answer before it, or
 * the first after it when the fault opens the timeline. `undefined` when the current step is a
 * `pass` (the task is not there) or the timeline has no task answer.
 */
export const taskReplyAt = (cursor: Cursor): TaskReply | undefined => {
  const { index, timeline } = cursor
  const current = timeline[index]?.reply
  if (current === undefined || current._tag === "Pass") return undefined
  if (current._tag === "Task") return current
  for (let i = index - 1; i >= 0; i--) {
    const reply = timeline[i].reply
    if (reply._tag === "Task") return reply
  }
  for (let i = index + 1; i < timeline.length; i++) {
    const reply = timeline[i].reply
    if (reply._tag === "Task") return reply
  }
  return undefined
}

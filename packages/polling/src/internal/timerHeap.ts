/**
 * A binary min-heap of items by the time they are due: the waits of `waitForTasks` sleep in one
 * of these, not in a fiber each.
 */
export interface TimerHeap<A> {
  readonly size: () => number
  /** The earliest time an item is due, or `Infinity` when there is none. */
  readonly next: () => number
  readonly push: (at: number, item: A) => void
  /** Takes the earliest item if it is due by `now`. */
  readonly popDue: (now: number) => A | undefined
}

export const make = <A>(): TimerHeap<A> => {
  // Times and items side by side: no entry object per item.
  const times: Array<number> = []
  const items: Array<A> = []
  const swap = (i: number, j: number) => {
    const time = times[i]
    times[i] = times[j]
    times[j] = time
    const item = items[i]
    items[i] = items[j]
    items[j] = item
  }
  const up = (from: number) => {
    for (let i = from; i > 0;) {
      const parent = (i - 1) >> 1
      if (times[parent] <= times[i]) return
      swap(i, parent)
      i = parent
    }
  }
  const down = (from: number) => {
    const length = times.length
    for (let i = from;;) {
      const left = 2 * i + 1
      const right = left + 1
      let least = i
      if (left < length && times[left] < times[least]) least = left
      if (right < length && times[right] < times[least]) least = right
      if (least === i) return
      swap(i, least)
      i = least
    }
  }
  return {
    size: () => times.length,
    next: () => times.length === 0 ? Infinity : times[0],
    push: (at, item) => {
      times.push(at)
      items.push(item)
      up(times.length - 1)
    },
    popDue: (now) => {
      if (times.length === 0 || times[0] > now) return undefined
      const item = items[0]
      const lastTime = times.pop()!
      const lastItem = items.pop()!
      if (times.length > 0) {
        times[0] = lastTime
        items[0] = lastItem
        down(0)
      }
      return item
    }
  }
}

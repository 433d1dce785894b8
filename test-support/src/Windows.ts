/** Counting events in windows of time: how tests check a rate limit from the receiving end. */

/**
 * The most events in any one window `[t, t + windowMs)`, over `times` (epoch milliseconds, in any
 * order).
 *
 * @example
 * busiest([0, 100, 999, 1_000, 1_500]) // 3: 0, 100 and 999
 */
export const busiest = (times: ReadonlyArray<number>, windowMs = 1_000): number => {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  let first = 0
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= windowMs) first++
    most = Math.max(most, last - first + 1)
  }
  return most
}

/**
 * How long a `Retry-After` header asks to wait, in milliseconds from `now`: delay-seconds or an
 * HTTP date. `undefined` when there is no header or it is neither; never negative.
 */
export const millis = (header: string | undefined, now: number): number | undefined => {
  if (header === undefined) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

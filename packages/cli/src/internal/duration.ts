import * as Duration from "effect/Duration"
import * as Either from "effect/Either"

const units: Readonly<Record<string, number>> = {
  ms: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000
}

const pattern = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/

/**
 * Reads a duration as users type it: `300ms`, `5s`, `1.5s`, `2m`, `1h`, `10 seconds`; a bare
 * number is seconds. Fails with a sentence saying what is accepted.
 */
export const parse = (text: string): Either.Either<Duration.Duration, string> => {
  const match = pattern.exec(text.trim().toLowerCase())
  const unit = match === null ? undefined : match[2] === "" ? 1_000 : units[match[2]]
  if (match === null || unit === undefined) {
    return Either.left(`"${text}" is not a duration: write it as 300ms, 5s, 2m or 1h (a bare number is seconds)`)
  }
  return Either.right(Duration.millis(Number(match[1]) * unit))
}

/** `850ms`, `3.2s`, `2m05s`: short, for one status line. */
export const format = (millis: number): string => {
  if (millis < 1_000) return `${Math.max(0, Math.round(millis))}ms`
  if (millis < 60_000) return `${(millis / 1_000).toFixed(1)}s`
  const seconds = Math.floor(millis / 1_000)
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`
}

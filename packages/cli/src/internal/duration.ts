import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

// The short forms people type; the long ones (`10 seconds`, `2 days`) are Effect's own.
const shortUnits: Readonly<Record<string, number>> = { "": 1_000, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

const shortForm = /^(\d+(?:\.\d+)?)(ms|s|m|h|)$/

/**
 * Reads a duration as users type it: `300ms`, `5s`, `1.5s`, `2m`, `1h`, a bare number of seconds,
 * or any duration Effect reads (`10 seconds`, `2 days`). Zero is refused unless `allowZero` (a zero
 * timeout or polling interval is a mistake to report). Fails with a sentence saying what is
 * accepted.
 */
export const parse = (
  text: string,
  options?: { readonly allowZero?: boolean | undefined }
): Either.Either<Duration.Duration, string> => {
  const normalized = text.trim().toLowerCase()
  const short = shortForm.exec(normalized)
  const duration = short !== null
    ? Option.some(Duration.millis(Number(short[1]) * shortUnits[short[2]]))
    : normalized.startsWith("-")
    // Effect reads a negative duration as zero; a negative is a mistake to report.
    ? Option.none()
    : Duration.decodeUnknown(normalized)
  return Either.fromOption(
    duration,
    () => `"${text}" is not a duration: write it as 300ms, 5s, 2m or 1h (a bare number is seconds)`
  ).pipe(
    Either.filterOrLeft(
      (parsed) => options?.allowZero === true || Duration.greaterThan(parsed, Duration.zero),
      () => `"${text}" is zero: give a duration longer than zero, such as 300ms, 5s or 2m`
    )
  )
}

/** `850ms`, `3.2s`, `2m05s`: short, for one status line. */
export const format = (millis: number): string => {
  if (millis < 1_000) return `${Math.max(0, Math.round(millis))}ms`
  if (millis < 60_000) return `${(millis / 1_000).toFixed(1)}s`
  const seconds = Math.floor(millis / 1_000)
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`
}

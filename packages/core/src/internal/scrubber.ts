/**
 * Removes secrets from text that came over the wire before it reaches an error, a log or a span.
 * A peer may echo a secret whole, or a piece of it: a proxy that cuts a header, or our own cut of
 * a long body to its preview. So any run of {@link pieceLength} or more characters of a secret is
 * removed too, not only whole occurrences.
 */
export interface Scrubber {
  (text: string): string
  /** The length of the longest secret: how far past a cut a secret seen there may run. */
  readonly longest: number
}

export const redacted = "<redacted>"

/** The shortest piece of a secret that is recognised on its own. */
export const pieceLength = 12

const encoder = /* @__PURE__ */ new TextEncoder()
const decoder = /* @__PURE__ */ new TextDecoder()

/** The longest prefix of `text` that fits in `limit` UTF-8 bytes, never splitting a character. */
export const truncateUtf8 = (text: string, limit: number): string => {
  // Each UTF-16 code unit takes at most 3 bytes: short texts need no encoding at all.
  if (text.length * 3 <= limit) return text
  const bytes = encoder.encode(text)
  if (bytes.length <= limit) return text
  let end = limit
  // Back up over continuation bytes (10xxxxxx) to the start of the character that was cut.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--
  return decoder.decode(bytes.subarray(0, end))
}

/** Replaces the marked ranges of `text`, merged where they touch, by one marker each. */
const replaceRanges = (text: string, marked: Uint8Array): string => {
  let result = ""
  let index = 0
  while (index < text.length) {
    if (marked[index] === 0) {
      const start = index
      while (index < text.length && marked[index] === 0) index++
      result += text.slice(start, index)
    } else {
      while (index < text.length && marked[index] === 1) index++
      result += redacted
    }
  }
  return result
}

/** Leaves text as it is: a client with no secrets. */
export const none: Scrubber = /* @__PURE__ */ Object.assign((text: string) => text, { longest: 0 })

/**
 * A scrubber for these secrets. Whole occurrences go first; then every window of
 * {@link pieceLength} characters that occurs in a secret is marked, and marked runs are replaced.
 * Secrets shorter than a piece are only matched whole.
 */
export const make = (secrets: ReadonlyArray<string>): Scrubber => {
  const whole = secrets.filter((secret) => secret.length > 0)
  if (whole.length === 0) return none
  const pieces = new Set<string>()
  for (const secret of whole) {
    for (let start = 0; start + pieceLength <= secret.length; start++) {
      pieces.add(secret.slice(start, start + pieceLength))
    }
  }
  const scrubPlain = (text: string): string => {
    let scrubbed = text
    for (const secret of whole) {
      if (scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join(redacted)
    }
    if (pieces.size === 0 || scrubbed.length < pieceLength) return scrubbed
    let marked: Uint8Array | undefined
    for (let start = 0; start + pieceLength <= scrubbed.length; start++) {
      if (pieces.has(scrubbed.slice(start, start + pieceLength))) {
        marked ??= new Uint8Array(scrubbed.length)
        marked.fill(1, start, start + pieceLength)
      }
    }
    return marked === undefined ? scrubbed : replaceRanges(scrubbed, marked)
  }
  // Markers already in the text are left as they are: scrubbing twice (before and after a cut, or
  // a client's scrubber then a call's) changes nothing more, even for a secret as short as "t".
  const scrub = (text: string): string =>
    text.includes(redacted) ? text.split(redacted).map(scrubPlain).join(redacted) : scrubPlain(text)
  return Object.assign(scrub, { longest: Math.max(...whole.map((secret) => secret.length)) })
}

/**
 * What of a text from the wire may be shown: at most `limit` UTF-8 bytes, scrubbed before the cut
 * (so a secret that runs past the cut is still seen whole) and after it. Only the start of a long
 * text is scrubbed, so a huge body costs no more than its preview.
 */
export const keep = (scrub: Scrubber, text: string, limit: number): string => {
  // A secret that starts within the kept bytes ends within `limit` characters plus its length.
  const window = text.slice(0, limit + scrub.longest)
  return scrub(truncateUtf8(scrub(window), limit))
}

/** One scrubber for the secrets of both: a client's, and those of one call. */
export const combine = (first: Scrubber, second: Scrubber): Scrubber =>
  first === none ? second : second === none ? first : Object.assign((text: string) => second(first(text)), {
    longest: Math.max(first.longest, second.longest)
  })

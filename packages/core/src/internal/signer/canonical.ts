import { percentEncode } from "../percentEncoding.js"

/** Compares strings by UTF-8 byte order (code point order), as Go's `sort.Strings` does. */
export const compareBytes = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!
    const y = b.codePointAt(i)!
    if (x !== y) return x < y ? -1 : 1
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    // A malformed escape cannot be decoded: sign the segment as it came.
    return segment
  }
}

/**
 * The canonical URI of an encoded path: each segment decoded then percent-encoded (RFC 3986
 * unreserved kept), joined with `/`, with a `/` appended when it does not end with one.
 */
export const canonicalUri = (encodedPath: string): string => {
  const uri = encodedPath.split("/").map((segment) => percentEncode(decodeSegment(segment))).join("/")
  return uri.endsWith("/") ? uri : `${uri}/`
}

/**
 * The canonical query: keys in byte order, a repeated key once per value with the values in byte
 * order, both percent-encoded; empty for no query.
 */
export const canonicalQuery = (params: Iterable<readonly [string, string]>): string => {
  const byKey = new Map<string, Array<string>>()
  for (const [key, value] of params) {
    const values = byKey.get(key)
    if (values === undefined) byKey.set(key, [value])
    else values.push(value)
  }
  return [...byKey.keys()].sort(compareBytes).flatMap((key) =>
    byKey.get(key)!.sort(compareBytes).map((value) => `${percentEncode(key)}=${percentEncode(value)}`)
  ).join("&")
}

/** `name:trimmed value\n` for each signed header, names lower-case and sorted. */
export const canonicalHeaders = (
  headers: ReadonlyMap<string, string>,
  signedHeaders: ReadonlyArray<string>
): string => signedHeaders.map((name) => `${name}:${(headers.get(name) ?? "").trim()}\n`).join("")

/** The six lines of the canonical request. */
export const canonicalRequest = (parts: {
  readonly method: string
  readonly uri: string
  readonly query: string
  readonly headers: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly bodyHash: string
}): string =>
  [
    parts.method.toUpperCase(),
    parts.uri,
    parts.query,
    parts.headers,
    parts.signedHeaders.join(";"),
    parts.bodyHash
  ].join("\n")

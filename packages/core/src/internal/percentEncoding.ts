const strictlyReserved = /[!'()*]/g

/**
 * RFC 3986 percent-encoding over UTF-8: only `A-Z a-z 0-9 - _ . ~` are kept, hex digits uppercase.
 * The encoding of both the request path and the signer's canonical request.
 */
export const percentEncode = (value: string): string =>
  encodeURIComponent(value).replace(
    strictlyReserved,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`
  )

import * as Effect from "effect/Effect"

// Web Crypto runs alike in Node 20 and browsers; core imports nothing from `node:`.
const encoder = /* @__PURE__ */ new TextEncoder()

const toHex = (buffer: ArrayBuffer): string => {
  const bytes = new Uint8Array(buffer)
  let hex = ""
  for (let i = 0; i < bytes.length; i++) hex += bytes[i].toString(16).padStart(2, "0")
  return hex
}

/** Whether this runtime offers `crypto.subtle` (browsers do only in secure contexts). */
export const isAvailable = (): boolean =>
  typeof globalThis.crypto === "object" && typeof globalThis.crypto?.subtle?.digest === "function"

const bytesOf = (data: string | Uint8Array): Uint8Array<ArrayBuffer> =>
  typeof data === "string" ? encoder.encode(data) : new Uint8Array(data)

/** Lower-case hex SHA-256. */
export const sha256Hex = (data: string | Uint8Array): Effect.Effect<string> =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", bytesOf(data))).pipe(Effect.map(toHex))

/** An HMAC-SHA256 key made once from a secret's UTF-8 bytes. */
export const hmacKey = (secret: string): Effect.Effect<CryptoKey> =>
  Effect.promise(() =>
    globalThis.crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign"
    ])
  )

/** Lower-case hex HMAC-SHA256 of a text. */
export const hmacHex = (key: CryptoKey, text: string): Effect.Effect<string> =>
  Effect.promise(() => globalThis.crypto.subtle.sign("HMAC", key, encoder.encode(text))).pipe(Effect.map(toHex))

/** Compares two hex strings in time independent of where they differ. */
export const timingSafeEqual = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return difference === 0
}

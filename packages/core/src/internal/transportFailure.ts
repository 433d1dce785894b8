import type { TransportFailure } from "../KpsError.js"

const failureByCode: Readonly<Record<string, TransportFailure>> = {
  ECONNREFUSED: "ConnectionRefused",
  ECONNRESET: "ConnectionReset",
  EPIPE: "ConnectionReset",
  UND_ERR_SOCKET: "ConnectionReset",
  UND_ERR_CLOSED: "ConnectionReset",
  ENOTFOUND: "DnsLookup",
  EAI_AGAIN: "DnsLookup",
  ETIMEDOUT: "Timeout",
  UND_ERR_CONNECT_TIMEOUT: "Timeout",
  UND_ERR_HEADERS_TIMEOUT: "Timeout",
  UND_ERR_BODY_TIMEOUT: "Timeout"
}

const maxDepth = 5

// Node's fetch wraps the socket error: TypeError("fetch failed") → cause Error("connect
// ECONNREFUSED ...") with `code`. Walk a few levels of `cause`.
const causes = function*(error: unknown): Generator<{ readonly code?: unknown; readonly message?: unknown }> {
  let current = error
  for (let depth = 0; depth < maxDepth && typeof current === "object" && current !== null; depth++) {
    yield current as { readonly code?: unknown; readonly message?: unknown }
    current = (current as { readonly cause?: unknown }).cause
  }
}

/**
 * Why a transport failed, read from the error codes of Node, undici and the browser.
 */
export const classify = (error: unknown): TransportFailure => {
  for (const cause of causes(error)) {
    // What AbortSignal.timeout aborts with, and what timeout-aware transports use.
    if ((cause as { readonly name?: unknown }).name === "TimeoutError") return "Timeout"
    if (typeof cause.code === "string" && cause.code in failureByCode) return failureByCode[cause.code]
  }
  return "Transport"
}

/**
 * The messages along the cause chain, outermost first, without repeats.
 */
export const describe = (error: unknown): string => {
  const messages: Array<string> = []
  for (const cause of causes(error)) {
    if (typeof cause.message === "string" && cause.message !== "" && !messages.includes(cause.message)) {
      messages.push(cause.message)
    }
  }
  return messages.length === 0 ? String(error) : messages.join(": ")
}

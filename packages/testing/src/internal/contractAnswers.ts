/** What the transport contract's cases share: their ids, and how they write a JSON answer. */
import type { Answer } from "../TransportContract.js"

export const taskId = "aee8d2fe-5484-4753-9177-5a38dc15546c"
export const serverId = "c9aa197b-a6b6-4c33-b3a6-fa0b4ec50006"

/** A JSON answer, its request id `contract-{status}` unless the headers give one. */
export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json", "x-request-id": `contract-${status}`, ...headers },
  body: JSON.stringify(body)
})

export const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

import { Signer } from "@effect-kps/core"
import { describe, expect, it } from "@effect/vitest"
import { AKSKSigner } from "@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js"
import { Effect, FastCheck as fc, Redacted } from "effect"
import { percentEncode } from "../src/internal/percentEncoding.js"

// Signer against the official Node signer (a dev dependency used only here), over generated
// requests. The generators stay inside what both sides define alike: the official signer does not
// trim header values, sorts query keys by UTF-16 units (equal to byte order outside the astral
// planes), hashes JSON.stringify(data), and lets Node's legacy url.parse escape a few path
// characters first; those differences are pinned by unit tests of their own instead.

const text = (chars: fc.Arbitrary<string>, maxLength = 12) => fc.string({ unit: chars, maxLength })
const bmpChar = fc.oneof(
  fc.char(),
  fc.constantFrom("é", "ü", "ß", "中", "文", "ё", "€", "✓", "\u00a0", "+", "&", "=", "*", "/", "~", "%")
)
// url.parse escapes these in a path before the official signer encodes it; `?` and `#` end a path,
// a `/` inside a decoded segment cannot be told from a separator, and url.parse trims whitespace
// (U+00A0 included) off the end of the URL.
const pathUnsafe = new Set([..."{}|\\^`' \r\n\t<>\"?#/"])
const segment = text(bmpChar.filter((c) => !pathUnsafe.has(c) && !/\s/.test(c)), 10).filter((s) => !/^\.*$/.test(s))
const headerName = fc.stringMatching(/^x-[a-z0-9]{1,6}(-[a-z0-9]{1,4})?$/)
const headerValue = fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/)

const requests = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"),
  host: fc.constantFrom("kms.cn-north-4.myhuaweicloud.com", "127.0.0.1:8443", "iam.ap-southeast-1.myhuaweicloud.com"),
  segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
  query: fc.dictionary(
    text(bmpChar, 8),
    fc.oneof(text(bmpChar), fc.array(text(bmpChar), { minLength: 1, maxLength: 3 })),
    {
      maxKeys: 4
    }
  ),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
  contentType: fc.option(fc.constantFrom("application/json", "application/json;charset=UTF-8"), { nil: undefined }),
  projectId: fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { nil: undefined }),
  body: fc.option(fc.dictionary(text(bmpChar, 6), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 }), {
    nil: undefined
  }),
  date: fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }),
  accessKeyId: fc.stringMatching(/^[A-Z0-9]{20}$/),
  secret: fc.string({ minLength: 1, maxLength: 48 })
})

type Generated = typeof requests extends fc.Arbitrary<infer A> ? A : never

const headersOf = (request: Generated): Record<string, string> => ({
  ...request.headers,
  ...(request.contentType === undefined ? {} : { "Content-Type": request.contentType }),
  ...(request.projectId === undefined ? {} : { "X-Project-Id": request.projectId }),
  // The official signer reads a fixed date only from this exact key.
  "X-Sdk-Date": Signer.formatDate(request.date.getTime())
})

const official = (request: Generated): string => {
  const signed = AKSKSigner.sign(
    {
      method: request.method,
      // It percent-encodes the path it is given: give it the decoded one.
      endpoint: `https://${request.host}/${request.segments.join("/")}`,
      headers: headersOf(request),
      queryParams: request.query,
      data: request.body
    } as never,
    { getAk: () => request.accessKeyId, getSk: () => request.secret } as never
  ) as Record<string, string>
  return signed.Authorization
}

const ours = (request: Generated) => {
  const query = Object.entries(request.query).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => `${percentEncode(key)}=${percentEncode(v)}`)
  )
  const url = new URL(
    `https://${request.host}/${request.segments.map(percentEncode).join("/")}${query.length > 0 ? "?" : ""}${
      query.join("&")
    }`
  )
  return Signer.sign(
    {
      method: request.method,
      url,
      headers: headersOf(request),
      body: request.body === undefined ? undefined : JSON.stringify(request.body)
    },
    { accessKeyId: request.accessKeyId, secretAccessKey: Redacted.make(request.secret) },
    { signedHeaders: "all" }
  )
}

describe("Signer against the official Node signer", () => {
  it.effect.prop(
    "produces the same Authorization header",
    [requests],
    ([request]) =>
      Effect.gen(function*() {
        const signature = yield* ours(request)
        expect(signature.authorization).toBe(official(request))
      }),
    { timeout: 60_000, fastCheck: { numRuns: 3000 } }
  )

  it.effect.prop(
    "signs the default header set as the official signer does when given just those headers",
    [requests],
    ([request]) =>
      Effect.gen(function*() {
        const only = { ...request, headers: {} }
        const signature = yield* Signer.sign(
          {
            method: only.method,
            url: new URL(`https://${only.host}/${only.segments.map(percentEncode).join("/")}`),
            headers: headersOf(only)
          },
          { accessKeyId: only.accessKeyId, secretAccessKey: Redacted.make(only.secret) }
        )
        expect(signature.authorization).toBe(official({ ...only, query: {}, body: undefined }))
      }),
    { timeout: 60_000, fastCheck: { numRuns: 1000 } }
  )
})

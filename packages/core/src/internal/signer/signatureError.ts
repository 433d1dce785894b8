import * as Schema from "effect/Schema"

export class SignatureError
  extends /* @__PURE__ */ Schema.TaggedError<SignatureError>("@effect-kps/core/SignatureError")(
    "SignatureError",
    {
      reason: Schema.Literal(
        "MissingAuthorization",
        "MalformedAuthorization",
        "UnknownAccessKey",
        "MissingDate",
        "MalformedDate",
        "DateOutOfRange",
        "SignatureMismatch"
      ),
      description: Schema.String
    }
  )
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Signature rejected (${this.reason}): ${this.description}`
  }
}

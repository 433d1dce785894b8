import * as Schema from "effect/Schema"

export class EmulatorError
  extends /* @__PURE__ */ Schema.TaggedError<EmulatorError>("@effect-kps/emulator/EmulatorError")("EmulatorError", {
    reason: Schema.Literal("InvalidOptions", "Listen"),
    description: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return this.reason === "Listen"
      ? `The KPS emulator could not listen: ${this.description}`
      : `Invalid KPS emulator options: ${this.description}`
  }
}

/**
 * What the emulator accepts when told nothing else: a token, an access key and a project id. A
 * module of its own, light to import: naming them does not load the emulator's HTTP server.
 *
 * @since 0.1.0
 */

/**
 * The IAM token accepted when no `tokens` are given.
 *
 * @example
 * ```ts
 * import { Credentials } from "@effect-kps/core"
 * import { Defaults } from "@effect-kps/emulator"
 *
 * const credentials = Credentials.token(Defaults.defaultToken)
 * ```
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultToken: string = "emulator-token"

/**
 * The access key id accepted when no `accessKeys` are given.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultAccessKey: string = "EMULATORACCESSKEY001"

/**
 * The secret key of {@link defaultAccessKey}. Public on purpose: it guards nothing but a local
 * emulator.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultSecretKey: string = "emulatorSecretKey00000000000000000000001"

/**
 * A project id to use with the emulator (32 hex characters); any well-formed project id (32 hex
 * characters) is accepted anyway.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultProjectId: string = "0123456789abcdef0123456789abcdef"

/**
 * @since 0.1.0
 */
export * as Gateway from "./Gateway.js"

/**
 * @since 0.1.0
 */
export * as KpsTesting from "./KpsTesting.js"

/**
 * @since 0.1.0
 */
export * as TransportContract from "./TransportContract.js"

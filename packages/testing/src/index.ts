/**
 * @since 0.1.0
 */
export * as KpsTesting from "./KpsTesting.js"

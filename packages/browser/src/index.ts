/**
 * @since 0.1.0
 */
export * as KpsBrowser from "./KpsBrowser.js"

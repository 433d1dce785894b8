/**
 * @since 0.1.0
 */
export * as KpsNode from "./KpsNode.js"

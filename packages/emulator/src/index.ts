/**
 * @since 0.1.0
 */
export * as KpsEmulator from "./KpsEmulator.js"

/**
 * @since 0.1.0
 */
export * as TaskStore from "./TaskStore.js"

/**
 * @since 0.1.0
 */
export * as Faults from "./Faults.js"

/**
 * @since 0.1.0
 */
export * as Defaults from "./Defaults.js"

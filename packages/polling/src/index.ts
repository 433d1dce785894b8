/**
 * @since 0.1.0
 */
export * as TaskWaiter from "./TaskWaiter.js"

/**
 * @since 0.1.0
 */
export * as WaitPolicy from "./WaitPolicy.js"

/**
 * @since 0.1.0
 */
export * as WaitState from "./WaitState.js"

/**
 * @since 0.1.0
 */
export * as WaitMetrics from "./WaitMetrics.js"

/**
 * @since 0.1.0
 */
export * as WaitDriver from "./WaitDriver.js"

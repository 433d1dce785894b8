/**
 * @since 0.1.0
 */
export * as KpsWorkflow from "./KpsWorkflow.js"

/**
 * @since 0.1.0
 */
export * as WorkflowMetrics from "./WorkflowMetrics.js"

/**
 * @since 0.1.0
 */
export * as ServerCredentials from "./ServerCredentials.js"

/**
 * @since 0.1.0
 */
export * as Credentials from "./Credentials.js"

/**
 * @since 0.1.0
 */
export * as KeypairAssociation from "./KeypairAssociation.js"

/**
 * @since 0.1.0
 */
export * as KeypairTask from "./KeypairTask.js"

/**
 * @since 0.1.0
 */
export * as KpsClient from "./KpsClient.js"

/**
 * @since 0.1.0
 */
export * as KpsError from "./KpsError.js"

/**
 * @since 0.1.0
 */
export * as KpsRegion from "./KpsRegion.js"

/**
 * @since 0.1.0
 */
export * as TaskList from "./TaskList.js"

/**
 * @since 0.1.0
 */
export * as TaskRef from "./TaskRef.js"

/**
 * @since 0.1.0
 */
export * as TaskStatus from "./TaskStatus.js"

/**
 * @since 0.1.0
 */
export * as Signer from "./Signer.js"

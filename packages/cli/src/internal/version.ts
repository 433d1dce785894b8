/** The version `kps-task --version` prints. */
export const version = "0.1.0"

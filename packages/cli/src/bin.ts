/**
 * The `kps-task` executable: runs `Cli.run` with the process's arguments and exits with its code.
 *
 * @since 0.1.0
 */
import "./internal/main.js"

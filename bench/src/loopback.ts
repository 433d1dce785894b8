import type { Server } from "node:http"

/**
 * Runs a benchmark server as a child process would: keep-alive on, listening on 127.0.0.1 on a
 * free port, which it prints on the first line; it stops when its parent closes stdin.
 */
export const serveOnLoopback = (server: Server): void => {
  server.keepAliveTimeout = 60_000
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    process.stdout.write(`${typeof address === "object" && address !== null ? address.port : 0}\n`)
  })
  process.stdin.resume()
  process.stdin.on("end", () => server.close(() => process.exit(0)))
}

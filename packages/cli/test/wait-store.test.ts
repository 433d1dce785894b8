import { beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assertBuilt, start } from "./support/cli.js"
import { projectId, startInProcess } from "./support/emulator.js"

// `kps-task wait … --store FILE`: durable waits. A child process waits on 100 emulator tasks, is
// killed with SIGKILL mid-wait and started again on the same file: every task ends once, with its
// outcome, and the deadline of the first run holds in the second (given another --timeout). The
// emulator's clock moves only when the test moves it; the CLI's deadline is on the real clock.
const token = "wait-store-token-S3CR3T"

beforeAll(assertBuilt)

/** The task ids of JSON lines on standard output, in order. */
const printedIds = (stdout: string): ReadonlyArray<string> =>
  stdout.trim().split("\n").filter((line) => line.startsWith("{")).map((line) =>
    (JSON.parse(line) as { readonly task_id: string }).task_id
  )

describe("kps-task wait --store", () => {
  it(
    "survives kill -9: run again, every task ends once with its outcome, and the first deadline holds",
    async ({ onTestFinished }) => {
      const emulator = await startInProcess({ tokens: [token], readyDuration: "1 second", taskDuration: "10 seconds" })
      onTestFinished(() => emulator.close())
      const dir = mkdtempSync(join(tmpdir(), "kps-wait-store-"))
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
      const store = join(dir, "waits.sqlite")

      // 20 tasks have succeeded and 10 failed when first read; 60 succeed and 9 fail once the test
      // moves the clock; one never ends.
      const create = (count: number, task: Parameters<typeof emulator.createTask>[0]) =>
        Promise.all(Array.from({ length: count }, () => emulator.createTask(task)))
      const doneAtOnce = await create(20, { taskDuration: 0 })
      const failedAtOnce = await create(10, { taskDuration: 0, fail: true })
      const doneLater = await create(60, {})
      const failedLater = await create(9, { fail: true })
      const [endless] = await create(1, { taskDuration: "10 days" })
      const ids = [...doneAtOnce, ...failedAtOnce, ...doneLater, ...failedLater, endless].map((task) => task.taskId)
      const succeeded = new Set([...doneAtOnce, ...doneLater].map((task) => task.taskId))

      const wait = (timeout: string) =>
        start([
          "wait",
          ...ids,
          "--store",
          store,
          "--json",
          "--interval",
          "500ms",
          "--timeout",
          timeout,
          "--endpoint",
          emulator.url,
          "--project-id",
          projectId,
          "--token",
          token
        ])

      // First run: the tasks that ended at once are printed; then the process is killed outright.
      const first = wait("30s")
      await first.until(new RegExp(`(\\{[^\\n]*\\n){${doneAtOnce.length}}`))
      const killed = await first.stop("SIGKILL")
      expect(killed.signal).toBe("SIGKILL")
      const printedFirst = printedIds(killed.stdout)
      expect(new Set(printedFirst)).toEqual(new Set(doneAtOnce.map((task) => task.taskId)))

      // The others end while no process waits on them.
      await emulator.advance("20 seconds")

      // Second run, with a timeout of an hour: the stored deadline (30 s after the first run began)
      // still ends the endless task's wait. Were it moved, this run would not end.
      const second = await wait("1h").ended
      const printedSecond = printedIds(second.stdout)
      expect([...printedSecond].sort()).toEqual([...succeeded].sort())
      expect(second.code).toBe(2)
      const errorLines = second.stderr.trim().split("\n")
      for (const task of [...failedAtOnce, ...failedLater]) {
        expect(errorLines.filter((line) => line.includes(task.taskId) && line.includes("FAILED_RESET"))).toHaveLength(1)
      }
      expect(errorLines.filter((line) => line.includes(endless.taskId) && line.includes("deadline"))).toHaveLength(1)
      expect(errorLines).toHaveLength(failedAtOnce.length + failedLater.length + 1)
      expect(second.stderr).not.toContain(token)
    },
    180_000
  )
})

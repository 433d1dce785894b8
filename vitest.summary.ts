import type { Reporter, TestModule } from "vitest/node"

/**
 * Ends the run with one plain line, `Tests: N passed, N failed, N skipped`, that CI reads to
 * know how many tests ran. Counted when the run ends, printed after the default summary.
 */
export default class SummaryReporter implements Reporter {
  private line = ""

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 }
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) counts[test.result().state]++
    }
    // A module that fails to load has no tests to count: count it as a failure.
    const brokenModules = testModules.filter((testModule) => testModule.state() === "failed").length
    const failed = counts.failed === 0 ? brokenModules : counts.failed
    this.line = `Tests: ${counts.passed} passed, ${failed} failed, ${counts.skipped + counts.pending} skipped`
  }

  onFinished() {
    if (this.line !== "") process.stdout.write(`\n${this.line}\n`)
  }
}

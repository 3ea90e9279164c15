/**
 * Jest reporter that ends the run with one plain line, `N passed, N failed`
 * (plus `, N skipped` when any were), which CI reads. A test file that fails
 * to load counts as one failure, so a broken suite is never a silent pass.
 */
class SummaryLineReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryLineReporter;

/**
 * Reporting a {@link dev.autobatch.autotune.TuningResult}: Micrometer meters, report files
 * ({@code report.json}, {@code report.md}) and a chart, and the vocabulary every entry point
 * words a tuning in, so the Maven goal and the main job say what the report says: {@link
 * dev.autobatch.autotune.report.Wording} (verdicts, outcomes, "unknown"), {@link
 * dev.autobatch.autotune.report.Bytes} (the one byte formatter), {@link
 * dev.autobatch.autotune.report.ResultTable} (the trial table) and {@link
 * dev.autobatch.autotune.report.AtomicFiles} (every file written whole, a set renamed together).
 */
package dev.autobatch.autotune.report;

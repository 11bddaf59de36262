/**
 * Reporting a {@link dev.autobatch.autotune.TuningResult}: Micrometer meters, report files
 * ({@code report.json}, {@code report.md}) and a chart.
 */
package dev.autobatch.autotune.report;

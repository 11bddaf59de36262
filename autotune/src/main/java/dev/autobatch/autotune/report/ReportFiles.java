package dev.autobatch.autotune.report;

import java.nio.file.Path;
import java.util.List;

/**
 * The files {@link ReportWriter#write} wrote, all in one directory.
 *
 * @param json {@code report.json}, the machine-readable report (schema {@value ReportJson#SCHEMA})
 * @param markdown {@code report.md}, the report a person reads
 * @param chartSvg {@code chart.svg}, the chart as vector graphics
 * @param chartPng {@code chart.png}, the chart as an image
 */
public record ReportFiles(Path json, Path markdown, Path chartSvg, Path chartPng) {

    /**
     * Returns every file, in the order of the components.
     *
     * @return the paths
     */
    public List<Path> all() {
        return List.of(json, markdown, chartSvg, chartPng);
    }
}

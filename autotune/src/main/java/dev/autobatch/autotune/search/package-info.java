/**
 * The batch-size search: {@link dev.autobatch.autotune.search.BatchSizeSearch} runs trials through
 * a {@link dev.autobatch.autotune.search.TrialRunner} and each {@link
 * dev.autobatch.autotune.search.Goal} chooses by its own rule. Pure logic: no DJL, no hardware.
 */
package dev.autobatch.autotune.search;

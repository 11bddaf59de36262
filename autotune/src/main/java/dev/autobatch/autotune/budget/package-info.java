/**
 * The memory budget: how many bytes a trial may peak at on the device that trains, from what the
 * probes read (a fraction of the memory free to this process, or the user's figure checked against
 * it), and the error a budget too small to train in gives ({@link
 * dev.autobatch.autotune.budget.MemoryBudgetException}).
 */
package dev.autobatch.autotune.budget;

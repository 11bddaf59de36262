/**
 * Internal: not API, and used by autotune alone. The fits and models the search and the budget
 * use (least squares, the peak-memory model), reading options from text, and reading an
 * optimizer's learning rate; they may change or vanish in any release.
 */
package dev.autobatch.autotune.internal;

/**
 * Internals of {@code core}: memory meters, parameter snapshots, out-of-memory recognition,
 * re-batching, and a trial's step loop, its stopping rule and the statistics of its step times.
 * Not API: these may change without notice.
 */
package dev.autobatch.core.internal;

/**
 * Internals of {@code core}: memory meters, parameter snapshots, out-of-memory recognition and
 * re-batching. Not API: these may change without notice.
 */
package dev.autobatch.core.internal;

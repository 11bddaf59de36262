/**
 * Helpers shared inside {@code autotune}. Not part of the public API: names here may change
 * without notice.
 */
package dev.autobatch.autotune.internal;

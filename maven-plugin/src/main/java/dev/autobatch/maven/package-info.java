/**
 * The {@code autobatch:tune} Maven goal: a thin shell over {@code dev.autobatch.autotune} that
 * tunes the project's own model during the build.
 */
package dev.autobatch.maven;

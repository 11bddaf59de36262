/**
 * Internal: not API. Helpers that several autotune packages share (formatting bytes for people);
 * they may change or vanish in any release.
 */
package dev.autobatch.autotune.internal;

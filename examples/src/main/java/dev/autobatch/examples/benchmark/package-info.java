/**
 * Benchmarks anyone can run ({@code mvn -pl examples exec:java -Dexec.mainClass=...}): their
 * figures go in issue notes and the README, never in timed unit tests.
 */
package dev.autobatch.examples.benchmark;

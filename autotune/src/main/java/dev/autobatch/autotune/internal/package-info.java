/**
 * Implementation details of the search that users should not call: least-squares fits, the peak
 * memory and step-time models, throughput smoothing and the result table. Public only so that
 * sibling packages can share them; no compatibility is promised.
 */
package dev.autobatch.autotune.internal;

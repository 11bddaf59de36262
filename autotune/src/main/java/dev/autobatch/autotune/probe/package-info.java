/**
 * Hardware probes: CPU and host memory through OSHI, container limits through cgroups, GPU memory
 * through NVML or CUDA. Probes never throw: what they cannot read is reported as unknown.
 */
package dev.autobatch.autotune.probe;

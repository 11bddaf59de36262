package dev.autobatch.autotune.probe;

/**
 * One GPU as the probe saw it.
 *
 * @param index the device index, as DJL's {@code Device.gpu(index)} numbers it
 * @param name the product name, or {@code "unknown"}
 * @param totalBytes the device's total memory in bytes, or {@code -1} if unknown
 * @param freeBytes the memory free on the device in bytes, or {@code -1} if unknown
 * @param source how it was read: {@code "NVML"} or {@code "CUDA"}
 */
public record GpuInfo(int index, String name, long totalBytes, long freeBytes, String source) {}

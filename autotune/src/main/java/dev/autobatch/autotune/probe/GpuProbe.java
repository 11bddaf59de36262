package dev.autobatch.autotune.probe;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the GPUs this process can train on, with their memory.
 *
 * <p>NVIDIA's management library (NVML, {@code libnvidia-ml.so.1}) answers first: it creates no
 * CUDA context, so it costs no GPU memory. Where NVML is missing, or cannot tell which of its GPUs
 * a CUDA device is, DJL's {@link CudaUtils} answers instead ({@code cudaMemGetInfo}), which creates
 * a CUDA context on each GPU it reads (a few hundred MiB each) and knows no product names. A
 * machine without GPUs, driver or libraries gets an empty list.
 *
 * <p>GPUs are numbered as DJL's {@code Device.gpu(i)} numbers them: CUDA's order, after {@code
 * CUDA_VISIBLE_DEVICES} and {@code CUDA_DEVICE_ORDER}. {@link CudaToNvml} finds NVML's device for
 * each by PCI bus id, asking the CUDA driver for CUDA's order, so a machine with mixed models is
 * read right without {@code CUDA_DEVICE_ORDER=PCI_BUS_ID}.
 */
public final class GpuProbe {

    private static final Logger logger = LoggerFactory.getLogger(GpuProbe.class);

    private GpuProbe() {}

    /**
     * Lists the GPUs, reading each one's name and memory now.
     *
     * @return the GPUs in {@code Device.gpu(i)} order, their {@link GpuInfo#index()} being {@code
     *     i}; an empty list where there are none or they cannot be read. A GPU whose memory cannot
     *     be read is listed with {@code -1} bytes, one whose name cannot be read (always, through
     *     CUDA) with the name {@code "unknown"}. Never throws.
     */
    public static List<GpuInfo> gpus() {
        try {
            Optional<Nvml> nvml = Nvml.instance();
            if (nvml.isPresent()) {
                Optional<List<Integer>> indexes = nvmlIndexes(nvml.get());
                if (indexes.isPresent()) {
                    return list(nvml.get(), indexes.get());
                }
            }
            return listCuda();
        } catch (RuntimeException | LinkageError e) {
            logger.debug("GPUs could not be listed: {}", e.toString());
            return List.of();
        }
    }

    /**
     * Returns the memory in use on one GPU, device-wide: by every process, the driver and its
     * reservations ({@code total - free}).
     *
     * @param index the GPU, as {@code Device.gpu(index)} numbers it
     * @return the bytes, or empty where the GPU does not exist or cannot be read; never throws
     */
    static OptionalLong usedBytes(int index) {
        if (index < 0) {
            return OptionalLong.empty();
        }
        try {
            Optional<Nvml> nvml = Nvml.instance();
            if (nvml.isPresent()) {
                Optional<List<Integer>> indexes = nvmlIndexes(nvml.get());
                if (indexes.isPresent()) {
                    return usedBytes(nvml.get(), indexes.get(), index);
                }
            }
            if (index >= CudaCount.VALUE) {
                return OptionalLong.empty();
            }
            MemoryUsage usage = CudaUtils.getGpuMemory(Device.gpu(index));
            return usage.getUsed() >= 0 ? OptionalLong.of(usage.getUsed()) : OptionalLong.empty();
        } catch (RuntimeException | LinkageError e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Returns the memory this process holds on one GPU, as the driver accounts it per process.
     *
     * @param index the GPU, as {@code Device.gpu(index)} numbers it
     * @return the bytes, or empty where NVML is missing, cannot map the GPU, or does not list this
     *     process on it (as in a container whose PID namespace differs from the driver's); never
     *     throws
     */
    static OptionalLong processUsedBytes(int index) {
        try {
            Optional<Nvml> nvml = Nvml.instance();
            if (nvml.isEmpty()) {
                return OptionalLong.empty();
            }
            return nvmlIndexes(nvml.get())
                    .map(indexes -> processUsedBytes(
                            nvml.get(), indexes, index, ProcessHandle.current().pid()))
                    .orElseGet(OptionalLong::empty);
        } catch (RuntimeException | LinkageError e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Lists GPUs through NVML.
     *
     * @param nvml the GPUs' management library
     * @param nvmlIndexes NVML's index of each CUDA device, from {@link CudaToNvml}
     * @return the GPUs in CUDA's order, numbered from 0
     */
    static List<GpuInfo> list(GpuManagement nvml, List<Integer> nvmlIndexes) {
        List<GpuInfo> gpus = new ArrayList<>(nvmlIndexes.size());
        for (int i = 0; i < nvmlIndexes.size(); i++) {
            int nvmlIndex = nvmlIndexes.get(i);
            Optional<GpuManagement.Memory> memory = nvml.memory(nvmlIndex);
            gpus.add(new GpuInfo(
                    i,
                    nvml.name(nvmlIndex),
                    memory.map(GpuManagement.Memory::total).orElse(-1L),
                    memory.map(GpuManagement.Memory::free).orElse(-1L),
                    "NVML"));
        }
        return List.copyOf(gpus);
    }

    /**
     * Reads the memory in use on one CUDA device through NVML.
     *
     * @param nvml the GPUs' management library
     * @param nvmlIndexes NVML's index of each CUDA device
     * @param cudaIndex the CUDA device
     * @return its memory in use device-wide, or empty where it does not exist or cannot be read
     */
    static OptionalLong usedBytes(GpuManagement nvml, List<Integer> nvmlIndexes, int cudaIndex) {
        if (cudaIndex < 0 || cudaIndex >= nvmlIndexes.size()) {
            return OptionalLong.empty();
        }
        return nvml.memory(nvmlIndexes.get(cudaIndex))
                .map(m -> OptionalLong.of(m.notFree()))
                .orElseGet(OptionalLong::empty);
    }

    /**
     * Reads the memory a process holds on one CUDA device through NVML.
     *
     * @param nvml the GPUs' management library
     * @param nvmlIndexes NVML's index of each CUDA device
     * @param cudaIndex the CUDA device
     * @param pid the process
     * @return its memory on the device, or empty where the device does not exist or the process
     *     is not listed on it
     */
    static OptionalLong processUsedBytes(GpuManagement nvml, List<Integer> nvmlIndexes, int cudaIndex, long pid) {
        if (cudaIndex < 0 || cudaIndex >= nvmlIndexes.size()) {
            return OptionalLong.empty();
        }
        return nvml.processUsedBytes(nvmlIndexes.get(cudaIndex), pid);
    }

    /** Maps this process's CUDA devices to NVML's, from the driver and the environment now. */
    private static Optional<List<Integer>> nvmlIndexes(GpuManagement nvml) {
        return CudaToNvml.map(
                nvml, CudaDriver.instance(), CudaVisibleDevices.fromEnvironment(), CudaDeviceOrder.fromEnvironment());
    }

    private static List<GpuInfo> listCuda() {
        int count = CudaCount.VALUE;
        List<GpuInfo> gpus = new ArrayList<>(Math.max(count, 0));
        for (int i = 0; i < count; i++) {
            long total = -1;
            long free = -1;
            try {
                // DJL's MemoryUsage: used = committed = total - free, max = total.
                MemoryUsage usage = CudaUtils.getGpuMemory(Device.gpu(i));
                if (usage.getMax() > 0 && usage.getUsed() >= 0 && usage.getUsed() <= usage.getMax()) {
                    total = usage.getMax();
                    free = usage.getMax() - usage.getUsed();
                }
            } catch (RuntimeException | LinkageError e) {
                logger.debug("The memory of gpu({}) could not be read through CUDA: {}", i, e.toString());
            }
            gpus.add(new GpuInfo(i, HardwareSnapshot.UNKNOWN, total, free, "CUDA"));
        }
        return List.copyOf(gpus);
    }

    /**
     * CUDA's GPU count, read once: it cannot change while the process runs, and DJL logs a warning
     * each time it is read on a machine with the CUDA runtime but no driver.
     */
    private static final class CudaCount {
        static final int VALUE = read();

        private static int read() {
            try {
                return Math.max(CudaUtils.getGpuCount(), 0);
            } catch (RuntimeException | LinkageError e) {
                return 0;
            }
        }
    }
}

package dev.autobatch.autotune.hardware;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;

import com.sun.jna.Pointer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Lists the GPUs this process can train on, with their memory.
 *
 * <p>NVIDIA's management library (NVML, {@code libnvidia-ml.so.1}) answers first: it creates no
 * CUDA context, so it costs no GPU memory. Where NVML is missing, DJL's {@link CudaUtils} answers
 * instead ({@code cudaMemGetInfo}), which creates a CUDA context on each GPU it reads (a few hundred
 * MiB each), and knows no product names. A machine without GPUs, driver or libraries gets an empty
 * list.
 *
 * <p>GPUs are numbered as DJL's {@code Device.gpu(i)} numbers them: CUDA's order, after {@code
 * CUDA_VISIBLE_DEVICES}. NVML's indexes follow the PCI bus; CUDA's default order puts the fastest
 * GPU first, which is the same order on a machine whose GPUs are all one model. On a machine with
 * mixed models, set {@code CUDA_DEVICE_ORDER=PCI_BUS_ID} so that the two agree. Where {@code
 * CUDA_VISIBLE_DEVICES} names MIG instances or a UUID NVML does not know, CUDA answers.
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
                Optional<List<Pointer>> handles = nvmlHandles(nvml.get(), CudaVisibleDevices.fromEnvironment());
                if (handles.isPresent()) {
                    return listNvml(nvml.get(), handles.get());
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
                Optional<List<Pointer>> handles = nvmlHandles(nvml.get(), CudaVisibleDevices.fromEnvironment());
                if (handles.isPresent()) {
                    if (index >= handles.get().size()) {
                        return OptionalLong.empty();
                    }
                    return nvml.get()
                            .memory(handles.get().get(index))
                            .map(m -> OptionalLong.of(m.notFree()))
                            .orElseGet(OptionalLong::empty);
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
     * Finds the NVML handle of each GPU CUDA shows this process, in CUDA's order.
     *
     * @param nvml the loaded library
     * @param visible what {@code CUDA_VISIBLE_DEVICES} selects
     * @return the handles, possibly none; empty where NVML cannot map them (MIG instances, an
     *     unknown UUID, a device it cannot open), so that CUDA must answer
     */
    static Optional<List<Pointer>> nvmlHandles(Nvml nvml, CudaVisibleDevices visible) {
        int count = nvml.deviceCount();
        if (count < 0 || !visible.mappable()) {
            return Optional.empty();
        }
        List<Pointer> handles = new ArrayList<>();
        if (visible.all()) {
            for (int i = 0; i < count; i++) {
                Optional<Pointer> handle = nvml.handleByIndex(i);
                if (handle.isEmpty()) {
                    // CUDA skips a GPU this process may not open, shifting the indexes after it.
                    return Optional.empty();
                }
                handles.add(handle.get());
            }
            return Optional.of(handles);
        }
        for (String entry : visible.entries()) {
            Optional<Pointer> handle;
            if (CudaVisibleDevices.isIndex(entry)) {
                int index = Integer.parseInt(entry);
                if (index >= count) {
                    // CUDA ends the list at an index that names no GPU.
                    break;
                }
                handle = nvml.handleByIndex(index);
            } else {
                handle = nvml.handleByUuid(entry);
            }
            if (handle.isEmpty()) {
                return Optional.empty();
            }
            handles.add(handle.get());
        }
        return Optional.of(handles);
    }

    private static List<GpuInfo> listNvml(Nvml nvml, List<Pointer> handles) {
        List<GpuInfo> gpus = new ArrayList<>(handles.size());
        for (int i = 0; i < handles.size(); i++) {
            Pointer handle = handles.get(i);
            Optional<Nvml.Memory> memory = nvml.memory(handle);
            gpus.add(new GpuInfo(
                    i,
                    nvml.name(handle),
                    memory.map(Nvml.Memory::total).orElse(-1L),
                    memory.map(Nvml.Memory::free).orElse(-1L),
                    "NVML"));
        }
        return List.copyOf(gpus);
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
            gpus.add(new GpuInfo(i, "unknown", total, free, "CUDA"));
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

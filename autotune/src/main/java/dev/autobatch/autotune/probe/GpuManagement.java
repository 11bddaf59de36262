package dev.autobatch.autotune.probe;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link GpuProbe} reads about the machine's GPUs, each named by its NVML index (PCI bus
 * order, every GPU of the machine, whatever {@code CUDA_VISIBLE_DEVICES} says). {@link Nvml}
 * implements it over {@code libnvidia-ml.so.1}; tests implement it by hand, so the mapping from
 * CUDA's numbering ({@link CudaToNvml}) can be tried on machines no one has.
 *
 * <p>No method throws: what cannot be read is {@code -1}, {@code "unknown"} or empty.
 */
interface GpuManagement {

    /**
     * Returns how many GPUs the machine has.
     *
     * @return the count, or {@code -1} if it cannot be read
     */
    int deviceCount();

    /**
     * Returns a GPU's product name, such as {@code "NVIDIA H100 80GB HBM3"}.
     *
     * @param index the NVML index
     * @return the name, or {@code "unknown"}
     */
    String name(int index);

    /**
     * Returns a GPU's UUID, such as {@code "GPU-5b8f2c1e-..."}, the form {@code
     * CUDA_VISIBLE_DEVICES} accepts.
     *
     * @param index the NVML index
     * @return the UUID, or empty if it cannot be read
     */
    Optional<String> uuid(int index);

    /**
     * Returns where a GPU sits on the PCI bus.
     *
     * @param index the NVML index
     * @return the bus id, or empty if it cannot be read
     */
    Optional<PciBusId> pciBusId(int index);

    /**
     * Returns a GPU's memory, device-wide.
     *
     * @param index the NVML index
     * @return the memory, or empty if it cannot be read
     */
    Optional<Memory> memory(int index);

    /**
     * Returns the memory one process holds on a GPU, as the driver accounts it per process (its
     * CUDA context and every allocation, PyTorch's cached blocks included).
     *
     * @param index the NVML index
     * @param pid the process, as the driver numbers it: in a container with its own PID
     *     namespace, the driver may list host PIDs, and then this process is not found
     * @return the bytes, or empty where the process is not among the GPU's compute processes or
     *     the driver does not report per-process memory
     */
    OptionalLong processUsedBytes(int index, long pid);

    /**
     * One GPU's memory, device-wide, in bytes.
     *
     * @param total the memory on the device
     * @param free the memory no process holds
     */
    record Memory(long total, long free) {

        /**
         * Returns the memory not free: what every process, the driver and its reservations hold.
         *
         * @return {@code total - free}
         */
        long notFree() {
            return total - free;
        }
    }
}

package dev.autobatch.autotune.probe;

import java.util.List;
import java.util.Optional;

/**
 * The GPUs CUDA shows this process, in CUDA's order: {@code Device.gpu(i)} is the {@code i}-th,
 * after CUDA has applied {@code CUDA_VISIBLE_DEVICES} and {@code CUDA_DEVICE_ORDER}. {@link
 * CudaDriver} asks the CUDA driver; tests give the list by hand.
 */
@FunctionalInterface
interface CudaDevices {

    /** CUDA that cannot be asked (no driver library): the mapping then reads the environment. */
    CudaDevices UNKNOWN = Optional::empty;

    /**
     * Returns the PCI bus id of each GPU CUDA shows, in CUDA's order.
     *
     * @return the bus ids, empty where CUDA hides every GPU; {@code Optional.empty()} where the
     *     CUDA driver cannot be asked
     */
    Optional<List<PciBusId>> visiblePciBusIds();
}

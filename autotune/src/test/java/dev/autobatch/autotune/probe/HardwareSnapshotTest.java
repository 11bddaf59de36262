package dev.autobatch.autotune.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HardwareSnapshotTest {

    private static final long GIB = 1L << 30;

    @Test
    void describeSummarisesTheMachineInAFewLines() {
        HardwareSnapshot hw = new HardwareSnapshot(
                "AMD EPYC 7763 64-Core Processor",
                64,
                128,
                512 * GIB,
                480 * GIB,
                64 * GIB,
                30 * GIB,
                List.of(
                        new GpuInfo(0, "NVIDIA H100 80GB HBM3", 80 * GIB, 79 * GIB, "NVML"),
                        new GpuInfo(1, "unknown", -1, -1, "CUDA")),
                "PyTorch 2.7.1",
                64,
                32,
                -1);

        assertEquals("""
                CPU: AMD EPYC 7763 64-Core Processor, 64 physical / 128 logical cores
                Engine: PyTorch 2.7.1; threads: intra-op 64, inter-op 32
                Host memory: 512.0 GiB total, 480.0 GiB available; container limit: 64.0 GiB
                JVM max heap: 30.0 GiB
                GPU 0: NVIDIA H100 80GB HBM3, 79.0 GiB free of 80.0 GiB (NVML)
                GPU 1: unknown, unknown free of unknown (CUDA)""", hw.describe());
    }

    @Test
    void anUnknownMachineReadsUnknownAndNone() {
        HardwareSnapshot hw = new HardwareSnapshot("unknown", -1, -1, -1, -1, -1, -1, List.of(), "unknown", -1, -1, -1);

        assertEquals("""
                CPU: unknown, unknown physical / unknown logical cores
                Engine: unknown; threads: intra-op unknown, inter-op unknown
                Host memory: unknown total, unknown available; container limit: none
                JVM max heap: unknown
                GPUs: none""", hw.describe());
    }
}

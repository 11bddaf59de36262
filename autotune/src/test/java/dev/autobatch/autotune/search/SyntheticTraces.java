package dev.autobatch.autotune.search;

import java.util.List;

/** Synthetic models on synthetic devices, measured like the real traces. */
final class SyntheticTraces {

    static final double GIB = 1024.0 * 1024 * 1024;
    static final double MIB = 1024.0 * 1024;

    private SyntheticTraces() {}

    /**
     * ResNet-50-like on an 80 GB GPU: throughput {@code 1918 b / (b + 8)}, 1,807 samples/s at 128
     * and 1,889 at 512 as in the design's anchors; 1 GiB plus 83.8 MiB a sample, out of memory
     * just above 955.
     */
    static Trace resnet50H100() {
        return Trace.synthetic(
                "resnet50-h100", 85_017_493_504L, b -> (b + 8) / 1918.0, b -> GIB + 83.8 * MIB * b);
    }

    /** A small model on an 8 GiB GPU: saturates by 64, out of memory above 172. */
    static Trace smallGpu() {
        return Trace.synthetic("small-gpu-8g", 8L << 30, b -> (b + 3) / 1100.0, b -> 0.3e9 + 48e6 * b);
    }

    /**
     * An MLP on a CPU with 16 GiB: 3 ms a step plus 12 us a sample, 6% slower a sample at
     * 131,072 as the data outgrow the caches; 0.4 GB plus 60 KB a sample.
     */
    static Trace cpu() {
        return Trace.synthetic(
                "cpu-16g",
                16L << 30,
                b -> 3e-3 + 12e-6 * b * (1 + b / 2_097_152.0),
                b -> 0.4e9 + 60e3 * b);
    }

    /** Throughput that rises at every doubling until out of memory just above 1,000. */
    static Trace keepsImproving() {
        return Trace.synthetic("keeps-improving", 72_000_000_000L, b -> (b + 12) / 2000.0, b -> 2e9 + 70e6 * b);
    }

    /** The same throughput at every size: more batch buys nothing. */
    static Trace flat() {
        return Trace.synthetic("flat", 16L << 30, b -> b / 5000.0, b -> 0.5e9 + 1e6 * b);
    }

    /** Every trace the replay tests run without noise: the measured one and the synthetic ones. */
    static List<Trace> all() {
        return List.of(
                Trace.load("traces/h100-mlp.jsonl"), resnet50H100(), smallGpu(), cpu(), keepsImproving(), flat());
    }
}

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
        return Trace.synthetic("resnet50-h100", 85_017_493_504L, b -> (b + 8) / 1918.0, b -> GIB + 83.8 * MIB * b);
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
                "cpu-16g", 16L << 30, b -> 3e-3 + 12e-6 * b * (1 + b / 2_097_152.0), b -> 0.4e9 + 60e3 * b);
    }

    /** Throughput that rises at every doubling until out of memory just above 1,000. */
    static Trace keepsImproving() {
        return Trace.synthetic("keeps-improving", 72_000_000_000L, b -> (b + 12) / 2000.0, b -> 2e9 + 70e6 * b);
    }

    /** The same throughput at every size: more batch buys nothing. */
    static Trace flat() {
        return Trace.synthetic("flat", 16L << 30, b -> b / 5000.0, b -> 0.5e9 + 1e6 * b);
    }

    /**
     * Step time flat up to 32 and then close to proportional, as the measured ResNet-50 curve: a
     * curve no {@code a + c B} line describes. 80 GB device, 0.5 GB plus 40 MB a sample.
     */
    static Trace flatThenLinear() {
        return Trace.synthetic(
                "flat-then-linear", 85_017_493_504L, b -> 0.02 + 0.0005 * Math.max(0, b - 32), b -> 0.5e9 + 40e6 * b);
    }

    /**
     * Throughput that peaks at 1,024 and then falls 4% a doubling (the data outgrow a cache), on a
     * 16 GiB CPU.
     */
    static Trace peakThenDecline() {
        return Trace.synthetic(
                "peak-then-decline",
                16L << 30,
                b -> {
                    double slowdown = 1 + 0.04 * Math.max(0, Math.log(b / 1024.0) / Math.log(2));
                    return (b + 64) / 100_000.0 * slowdown;
                },
                b -> 0.4e9 + 50e3 * b);
    }

    /**
     * A plateau from about 1,024 and then a slow 3% creep between 8,192 and 65,536, on a 16 GiB
     * CPU: the creep must not draw the choice to the large sizes.
     */
    static Trace plateauWithLateCreep() {
        return Trace.synthetic(
                "plateau-late-creep",
                16L << 30,
                b -> {
                    double log = Math.log(b) / Math.log(2);
                    double creep = 1 + 0.03 * Math.min(1, Math.max(0, (log - 13) / 3));
                    return (b + 32) / 100_000.0 / creep;
                },
                b -> 0.4e9 + 50e3 * b);
    }

    /** Every trace the replay tests run without noise: the measured one and the synthetic ones. */
    static List<Trace> all() {
        return List.of(
                Trace.load("traces/h100-mlp.jsonl"),
                Trace.load("traces/h100-resnet50.jsonl"),
                resnet50H100(),
                smallGpu(),
                cpu(),
                keepsImproving(),
                flat(),
                flatThenLinear(),
                peakThenDecline(),
                plateauWithLateCreep());
    }
}

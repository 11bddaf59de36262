package dev.autobatch.examples.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GpuCheckTest {

    private static final long MIB = 1L << 20;

    private static Trial onDevice(int batch, long peakMib) {
        return Trial.builder(batch)
                .optSamplesPerSecond(1000.0 * batch)
                .optMedianStepSeconds(0.001)
                .optPeakMemoryBytes(peakMib * MIB)
                .optBaselineMemoryBytes(900 * MIB)
                .optMemoryMeasurement(MemoryMeasurement.DEVICE_USED)
                .build();
    }

    private record Printed(int value, String text) {}

    private static Printed printed(Function<PrintStream, Integer> call) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int value;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            value = call.apply(out);
        }
        return new Printed(value, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void onAMachineWhoseEngineSeesNoGpuItSaysSoInOneLine() {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "PyTorch sees a GPU here: bin/gpu-check runs the check");

        Printed run = printed(GpuCheck::run);

        assertEquals(GpuCheck.EXIT_NO_GPU, run.value());
        assertEquals(1, run.text().lines().count(), run.text());
        assertTrue(run.text().startsWith("gpu-check: nothing to check: DJL's PyTorch engine"), run.text());
        assertTrue(run.text().contains("sees no GPU here"), run.text());
    }

    @Test
    void peaksWithinTheBudgetPass() {
        Printed check =
                printed(out -> GpuCheck.check(List.of(onDevice(64, 1000), onDevice(128, 1500)), 1500 * MIB, out));

        assertEquals(0, check.value());
        assertTrue(check.text().contains("2 trial(s) with a device peak, 0 above the budget"), check.text());
    }

    @Test
    void eachPeakAboveTheBudgetIsOneProblemNamingTheBatch() {
        Printed check = printed(out ->
                GpuCheck.check(List.of(onDevice(64, 1000), onDevice(128, 2100), onDevice(256, 4000)), 2048 * MIB, out));

        assertEquals(2, check.value());
        assertTrue(check.text().contains("ABOVE BUDGET: batch 128 peaked at 2,202,009,600 bytes"), check.text());
        assertTrue(check.text().contains("ABOVE BUDGET: batch 256"), check.text());
    }

    @Test
    void trialsWithoutADevicePeakCannotPassTheCheckByThemselves() {
        Trial host = Trial.builder(64)
                .optSamplesPerSecond(64_000)
                .optMedianStepSeconds(0.001)
                .optPeakMemoryBytes(5000 * MIB)
                .optBaselineMemoryBytes(900 * MIB)
                .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                .build();
        Trial unread = Trial.builder(64)
                .optSamplesPerSecond(64_000)
                .optMedianStepSeconds(0.001)
                .build();

        Printed check = printed(out -> GpuCheck.check(List.of(host, unread, Trial.outOfMemory(4096)), MIB, out));

        assertEquals(1, check.value());
        assertTrue(check.text().contains("NOT MEASURED"), check.text());
    }

    @Test
    void anOutOfMemoryTrialIsNotAPeakAboveTheBudget() {
        Printed check =
                printed(out -> GpuCheck.check(List.of(onDevice(64, 1000), Trial.outOfMemory(8192)), 1500 * MIB, out));

        assertEquals(0, check.value());
    }
}

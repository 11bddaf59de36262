package dev.autobatch.examples;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

class DeviceOptionTest {

    private static final IntSupplier NEVER_ASKED = () -> {
        throw new AssertionError("the GPU count was asked for, which loads the engine");
    };

    @Test
    void cpuGpuAndGpuNParseToDjlsDevices() throws UsageException {
        assertEquals(Device.cpu(), DeviceOption.parse("cpu"));
        assertEquals(Device.gpu(0), DeviceOption.parse("gpu"));
        assertEquals(Device.gpu(3), DeviceOption.parse("GPU:3"));
        assertEquals(Device.gpu(1), DeviceOption.parse(" gpu: 1 "));
    }

    @Test
    void theMainJobsOptionsCarryTheDevice() throws UsageException {
        assertEquals(Optional.empty(), MainJobOptions.parse().device());
        assertEquals(
                Optional.of(Device.gpu(2)),
                MainJobOptions.parse("--device", "gpu:2").device());
        assertEquals(
                Optional.of(Device.cpu()), MainJobOptions.parse("--device=cpu").device());
    }

    @Test
    void badValuesNameThemselvesAndTheFormsAccepted() {
        UsageException other = assertThrows(UsageException.class, () -> DeviceOption.parse("tpu"));
        assertEquals(
                "--device must be cpu, gpu or gpu:N (N a GPU index from 0, such as gpu:1), got 'tpu'",
                other.getMessage());
        UsageException index = assertThrows(UsageException.class, () -> DeviceOption.parse("gpu:-1"));
        assertEquals(
                "--device gpu:-1: the GPU index must be a whole number from 0, got '-1'; for example"
                        + " --device gpu:0",
                index.getMessage());
        assertThrows(UsageException.class, () -> DeviceOption.parse("gpu:one"));
        assertThrows(UsageException.class, () -> DeviceOption.parse("gpu0"));
        UsageException missing = assertThrows(UsageException.class, () -> MainJobOptions.parse("--device"));
        assertEquals("--device needs a value; see --help", missing.getMessage());
    }

    @Test
    void theCpuAndTheDefaultAreNeverCheckedAgainstTheEngine() {
        assertDoesNotThrow(() -> DeviceOption.requireAvailable(Optional.empty(), NEVER_ASKED));
        assertDoesNotThrow(() -> DeviceOption.requireAvailable(Optional.of(Device.cpu()), NEVER_ASKED));
    }

    @Test
    void aGpuOnAMachineWhosePyTorchSeesNoneSaysHowToGetOne() {
        UsageException e = assertThrows(
                UsageException.class, () -> DeviceOption.requireAvailable(Optional.of(Device.gpu(0)), () -> 0));

        assertTrue(e.getMessage().startsWith("--device gpu:0: DJL's PyTorch engine sees no GPU here"), e.getMessage());
        assertTrue(e.getMessage().contains("give --device cpu"), e.getMessage());
        assertTrue(e.getMessage().contains("'Training on a GPU'"), e.getMessage());
    }

    @Test
    void aGpuBeyondTheVisibleOnesNamesTheOnesThereAre() {
        UsageException two = assertThrows(
                UsageException.class, () -> DeviceOption.requireAvailable(Optional.of(Device.gpu(2)), () -> 2));
        assertEquals(
                "--device gpu:2: PyTorch sees 2 GPUs here, gpu:0 to gpu:1; give one of those"
                        + " (CUDA_VISIBLE_DEVICES renumbers the visible GPUs from 0)",
                two.getMessage());
        UsageException one = assertThrows(
                UsageException.class, () -> DeviceOption.requireAvailable(Optional.of(Device.gpu(1)), () -> 1));
        assertTrue(one.getMessage().contains("PyTorch sees 1 GPU here, gpu:0; give"), one.getMessage());
        assertDoesNotThrow(() -> DeviceOption.requireAvailable(Optional.of(Device.gpu(1)), () -> 2));
    }

    @Test
    void theMainJobExitsWithStatus2ForAGpuPyTorchDoesNotSee() {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "PyTorch sees a GPU here");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            status = MainJob.run(new String[] {"--device", "gpu:0"}, out);
        }

        assertEquals(MainJob.EXIT_USAGE, status);
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(output.startsWith("autobatch: --device gpu:0: DJL's PyTorch engine sees no GPU here"), output);
        assertEquals(1, output.lines().count(), output);
    }

    @Test
    void theMainJobExitsWithStatus2AndTheUsageForADeviceItCannotParse() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            status = MainJob.run(new String[] {"--device", "cuda"}, out);
        }

        assertEquals(MainJob.EXIT_USAGE, status);
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(output.startsWith("autobatch: --device must be cpu, gpu or gpu:N"), output);
        assertTrue(output.contains("--device=cpu|gpu|gpu:N"), output);
    }
}

package dev.autobatch.autotune.probe;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.software.os.OSProcess;

/**
 * Takes a {@link HardwareSnapshot} of this machine: CPU and host memory through OSHI, the
 * container's memory limit and what its group uses through Linux cgroups (v2 and v1), the Java
 * heap, the GPUs through
 * {@link GpuProbe}, and the deep-learning engine.
 *
 * <p>A probe never throws: each value it cannot read is {@code -1} (numbers), {@code "unknown"}
 * (text) or an empty GPU list, and the others are still read.
 *
 * <pre>{@code
 * HardwareSnapshot hw = HardwareProbe.snapshot(model.getNDManager().getEngine());
 * System.out.println(hw.describe());
 * }</pre>
 */
public final class HardwareProbe {

    /** The system property PyTorch reads once, at engine start, for its intra-op threads. */
    public static final String NUM_THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    /** The system property PyTorch reads once, at engine start, for its inter-op threads. */
    public static final String NUM_INTEROP_THREADS_PROPERTY = "ai.djl.pytorch.num_interop_threads";

    private static final Logger logger = LoggerFactory.getLogger(HardwareProbe.class);

    private HardwareProbe() {}

    /**
     * Takes a snapshot without loading a deep-learning engine, so it never starts (or downloads) a
     * native library: the engine is the default engine's name only, such as {@code "PyTorch"},
     * without a version; the threads are the values of {@value #NUM_THREADS_PROPERTY} and
     * {@value #NUM_INTEROP_THREADS_PROPERTY}, or {@code -1} when a property is unset (PyTorch then
     * picks its own count: the number of physical cores for intra-op threads). Use {@link
     * #snapshot(Engine)} where an engine is at hand, as it is once a model exists.
     *
     * @return the snapshot; its values are {@code -1}, {@code "unknown"} or an empty list where
     *     they cannot be read
     */
    public static HardwareSnapshot snapshot() {
        String engine = read(() -> Engine.getDefaultEngineName(), HardwareSnapshot.UNKNOWN);
        return snapshot(engine, threadsProperty(NUM_THREADS_PROPERTY), threadsProperty(NUM_INTEROP_THREADS_PROPERTY));
    }

    /**
     * Takes a snapshot that also describes an engine already loaded: its name and version, such
     * as {@code "PyTorch 2.7.1"}, and for PyTorch the intra-op and inter-op threads it actually
     * uses ({@code at::get_num_threads()} and {@code at::get_num_interop_threads()}), whatever set
     * them. For another engine the threads are {@code -1}.
     *
     * @param engine the engine that trains, such as {@code model.getNDManager().getEngine()}
     * @return the snapshot; its values are {@code -1}, {@code "unknown"} or an empty list where
     *     they cannot be read
     */
    public static HardwareSnapshot snapshot(Engine engine) {
        if (engine == null) {
            return snapshot();
        }
        String name = read(engine::getEngineName, HardwareSnapshot.UNKNOWN);
        String version = read(engine::getVersion, "");
        String description = version.isBlank() ? name : name + " " + version;
        int threads = -1;
        int interopThreads = -1;
        if ("PyTorch".equals(name)) {
            threads = readInt(JniUtils::getNumThreads);
            interopThreads = readInt(JniUtils::getNumInteropThreads);
        }
        return snapshot(description, threads, interopThreads);
    }

    /**
     * Returns this process's resident set size: the host memory it holds now, Java heap, native
     * libraries and tensors alike. On the CPU a trial's peak counts all of it, so a process that
     * already holds more than the memory budget cannot run any trial within it.
     *
     * @return the bytes, or {@code -1} if they cannot be read
     */
    public static long processResidentBytes() {
        return readLong(() -> {
            OSProcess self = Oshi.SYSTEM.getOperatingSystem().getCurrentProcess();
            return self == null ? -1 : self.getResidentSetSize();
        });
    }

    /**
     * Returns the system's load average over the last minute: how many threads were running or
     * waiting to run. Above the number of cores, other work competes with training for the CPU
     * and trial timings become noise.
     *
     * @return the load average, or {@code -1} where the system does not report one (Windows)
     */
    public static double loadAverage() {
        CentralProcessor cpu = read(() -> Oshi.SYSTEM.getHardware().getProcessor(), null);
        if (cpu == null) {
            return -1;
        }
        double[] load = read(() -> cpu.getSystemLoadAverage(1), new double[] {-1});
        return load.length > 0 && load[0] >= 0 ? load[0] : -1;
    }

    private static HardwareSnapshot snapshot(String engine, int threads, int interopThreads) {
        CentralProcessor cpu = read(() -> Oshi.SYSTEM.getHardware().getProcessor(), null);
        GlobalMemory memory = read(() -> Oshi.SYSTEM.getHardware().getMemory(), null);
        String cpuModel = cpu == null
                ? HardwareSnapshot.UNKNOWN
                : read(() -> blankToUnknown(cpu.getProcessorIdentifier().getName()), HardwareSnapshot.UNKNOWN);
        int physical = cpu == null ? -1 : readInt(cpu::getPhysicalProcessorCount);
        int logical = cpu == null ? -1 : readInt(cpu::getLogicalProcessorCount);
        long total = memory == null ? -1 : readLong(memory::getTotal);
        long available = memory == null ? -1 : readLong(memory::getAvailable);
        if (total > 0 && available > total) {
            available = -1;
        }
        CgroupMemoryLimit.Reading container = read(CgroupMemoryLimit::read, CgroupMemoryLimit.Reading.NONE);
        long maxHeap = readLong(Runtime.getRuntime()::maxMemory);
        if (maxHeap == Long.MAX_VALUE) {
            maxHeap = -1;
        }
        List<GpuInfo> gpus = GpuProbe.gpus();
        return new HardwareSnapshot(
                cpuModel,
                physical,
                logical,
                total,
                available,
                container.limitBytes(),
                maxHeap,
                gpus,
                engine,
                threads,
                interopThreads,
                container.usedBytes());
    }

    private static int threadsProperty(String name) {
        return parseThreads(read(() -> System.getProperty(name), null));
    }

    /**
     * Parses a thread-count property.
     *
     * @param value the property's value, or {@code null} when unset
     * @return the count, or {@code -1} when unset, not a number, or not positive
     */
    static int parseThreads(String value) {
        if (value == null) {
            return -1;
        }
        try {
            int threads = Integer.parseInt(value.strip());
            return threads > 0 ? threads : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String blankToUnknown(String text) {
        return text == null || text.isBlank() ? HardwareSnapshot.UNKNOWN : text.strip();
    }

    private static <T> T read(Supplier<T> reader, T unknown) {
        try {
            T value = reader.get();
            return value == null ? unknown : value;
        } catch (RuntimeException | LinkageError e) {
            logger.debug("A hardware value could not be read: {}", e.toString());
            return unknown;
        }
    }

    private static int readInt(IntSupplier reader) {
        try {
            int value = reader.getAsInt();
            return value > 0 ? value : -1;
        } catch (RuntimeException | LinkageError e) {
            logger.debug("A hardware value could not be read: {}", e.toString());
            return -1;
        }
    }

    private static long readLong(LongSupplier reader) {
        try {
            long value = reader.getAsLong();
            return value >= 0 ? value : -1;
        } catch (RuntimeException | LinkageError e) {
            logger.debug("A hardware value could not be read: {}", e.toString());
            return -1;
        }
    }

    /** OSHI's entry point, made once: its hardware objects remember what does not change. */
    private static final class Oshi {
        static final SystemInfo SYSTEM = new SystemInfo();
    }
}

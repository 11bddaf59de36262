package dev.autobatch.core.internal;

import dev.autobatch.core.MemoryMeasurement;
import java.util.concurrent.atomic.AtomicLong;
import oshi.SystemInfo;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * The fallback where the kernel offers no resettable peak (not Linux, or {@code clear_refs}
 * closed): a daemon thread samples the process's resident set through OSHI every {@value
 * #INTERVAL_MILLIS} ms and keeps the highest. It can miss a spike shorter than the interval.
 */
final class SampledRssMeter implements PeakMemoryMeter {

    private static final long INTERVAL_MILLIS = 5;

    private final OperatingSystem os = new SystemInfo().getOperatingSystem();
    private final AtomicLong peak = new AtomicLong(-1);
    private volatile Thread sampler;

    @Override
    public long start() {
        stop();
        long baseline = residentBytes();
        peak.set(baseline);
        Thread thread = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        peak.accumulateAndGet(residentBytes(), Math::max);
                        try {
                            Thread.sleep(INTERVAL_MILLIS);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "autobatch-rss-sampler");
        thread.setDaemon(true);
        thread.start();
        sampler = thread;
        return baseline;
    }

    @Override
    public long stop() {
        Thread thread = sampler;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sampler = null;
            peak.accumulateAndGet(residentBytes(), Math::max);
        }
        return peak.get();
    }

    @Override
    public MemoryMeasurement measurement() {
        return MemoryMeasurement.HOST_SAMPLED_RSS;
    }

    private long residentBytes() {
        OSProcess self = os.getCurrentProcess();
        return self == null ? -1 : self.getResidentSetSize();
    }
}

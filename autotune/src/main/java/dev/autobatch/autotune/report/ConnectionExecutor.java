package dev.autobatch.autotune.report;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the exchanges of the JDK's HTTP server for {@link PrometheusEndpoint}: each connection on
 * a thread of its own from a small pool, so one client that sends half a request and stalls
 * delays no other, and a read timeout, so a stalled client holds its thread for that long at most.
 *
 * <p>Without an executor the JDK's server reads every request on its one dispatcher thread, and a
 * half-sent request blocks every scrape for as long as its client keeps the connection open
 * (measured: 80 s and more). The server reads a request's line and headers on the thread that runs
 * its exchange, from a blocking {@link java.nio.channels.SocketChannel}; such a read ends when the
 * thread is interrupted (the channel closes). A watchdog interrupts each exchange whose request has
 * not arrived, whole, within the read timeout; the handler marks the arrival ({@link
 * #requestArrived()}). The server then closes that connection.
 */
final class ConnectionExecutor implements Executor {

    private final long readTimeoutNanos;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService watchdog;
    private final Set<Exchange> running = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Exchange> current = new ThreadLocal<>();

    /**
     * Starts the pool and the watchdog.
     *
     * @param threads the connections served at once, at least 1; more wait for a thread
     * @param readTimeout how long a request's line and headers may take to arrive
     * @param name the prefix of the threads' names
     */
    ConnectionExecutor(int threads, Duration readTimeout, String name) {
        this.readTimeoutNanos = readTimeout.toNanos();
        AtomicInteger count = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, name + "-read-timeout");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(20), readTimeoutNanos / 4);
        watchdog.scheduleAtFixedRate(this::interruptStalled, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void execute(Runnable exchange) {
        pool.execute(new Exchange(exchange));
    }

    /** Tells the watchdog that the request of the exchange on this thread has arrived. */
    void requestArrived() {
        Exchange exchange = current.get();
        if (exchange != null) {
            exchange.arrived();
        }
    }

    /** Stops the watchdog and the pool, interrupting exchanges still running. */
    void shutdown() {
        watchdog.shutdownNow();
        pool.shutdownNow();
    }

    private void interruptStalled() {
        long now = System.nanoTime();
        for (Exchange exchange : running) {
            exchange.interruptIfStalled(now);
        }
    }

    /** One exchange of the server, timed from the moment a thread takes it up. */
    private final class Exchange implements Runnable {

        private final Runnable work;
        private Thread thread;
        private long started;
        private boolean arrived;

        Exchange(Runnable work) {
            this.work = work;
        }

        @Override
        public void run() {
            synchronized (this) {
                thread = Thread.currentThread();
                started = System.nanoTime();
            }
            running.add(this);
            current.set(this);
            try {
                work.run();
            } finally {
                synchronized (this) {
                    thread = null;
                }
                running.remove(this);
                current.remove();
                // Under the lock above the watchdog can no longer interrupt this exchange; clear an
                // interrupt it sent before, so the pool's next exchange starts clean.
                Thread.interrupted();
            }
        }

        synchronized void arrived() {
            arrived = true;
        }

        synchronized void interruptIfStalled(long now) {
            if (thread != null && !arrived && now - started > readTimeoutNanos) {
                thread.interrupt();
            }
        }
    }
}

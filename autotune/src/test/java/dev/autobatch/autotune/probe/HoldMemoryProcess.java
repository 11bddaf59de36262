package dev.autobatch.autotune.probe;

/**
 * The main class of the JVM that {@link CgroupRealGroupTest} starts inside a cgroup it made: holds
 * its heap (started with {@code -XX:+AlwaysPreTouch}, so every page of it is resident) until it is
 * ended.
 */
public final class HoldMemoryProcess {

    private HoldMemoryProcess() {}

    /**
     * Says it is running, then sleeps until ended.
     *
     * @param args none
     * @throws InterruptedException never, in practice: the test ends it with a signal
     */
    public static void main(String[] args) throws InterruptedException {
        System.out.println("holding");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

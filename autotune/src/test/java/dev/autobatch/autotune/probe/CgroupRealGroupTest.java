package dev.autobatch.autotune.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup reader against a real memory cgroup this test makes (cgroup v1 or v2), limits, puts a
 * process holding 96 MiB into, reads, and removes. Skipped, saying why, where no memory cgroup can
 * be made: not Linux, not root, or no memory controller to make groups in.
 */
class CgroupRealGroupTest {

    private static final long MIB = 1L << 20;
    private static final long LIMIT = 512 * MIB;
    private static final long HELD = 96 * MIB;

    @TempDir
    Path tmp;

    @Test
    void readsTheLimitAndWhatAnotherProcessInTheGroupHolds() throws Exception {
        Hierarchy hierarchy = Hierarchy.find().orElse(null);
        assumeTrue(
                hierarchy != null,
                "no cgroup v1 memory hierarchy or cgroup v2 mount with memory enabled"
                        + " for its children here, so no memory cgroup can be made");
        Path group = hierarchy
                .mount()
                .resolve("autobatch-test-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(group);
        } catch (IOException e) {
            Assumptions.abort("cannot make a memory cgroup under " + hierarchy.mount() + " (" + e + "); run as root");
        }
        Process holder = null;
        try {
            Files.writeString(
                    group.resolve(hierarchy.v1() ? "memory.limit_in_bytes" : "memory.max"), Long.toString(LIMIT));
            holder = startInside(group);
            Path procSelfCgroup = Files.writeString(
                    tmp.resolve("cgroup"), (hierarchy.v1() ? "4:memory:/" : "0::/") + group.getFileName() + "\n");

            CgroupMemoryLimit.Reading reading =
                    CgroupMemoryLimit.read(procSelfCgroup, Path.of("/proc/self/mountinfo"), Path.of("/sys/fs/cgroup"));

            assertEquals(LIMIT, reading.limitBytes(), reading.toString());
            assertTrue(reading.usedBytes() >= HELD && reading.usedBytes() < LIMIT, reading.toString());
            assertEquals(LIMIT - reading.usedBytes(), reading.freeBytes());
        } finally {
            if (holder != null) {
                holder.destroyForcibly();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
            removeWhenEmpty(group);
        }
    }

    /** Starts a JVM that joins the group before it allocates, so that what it holds is charged there. */
    private static Process startInside(Path group) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        "sh",
                        "-c",
                        "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"",
                        group.toString(),
                        java,
                        "-Xms" + HELD / MIB + "m",
                        "-Xmx" + HELD / MIB + "m",
                        "-XX:+AlwaysPreTouch",
                        "-cp",
                        System.getProperty("java.class.path"),
                        HoldMemoryProcess.class.getName())
                .redirectErrorStream(true)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("holding", out.readLine(), "the holder started");
        return process;
    }

    private static void removeWhenEmpty(Path group) throws InterruptedException {
        for (int i = 0; i < 100 && Files.exists(group); i++) {
            try {
                Files.delete(group);
            } catch (IOException e) {
                // The killed process may not have left the group yet.
                Thread.sleep(100);
            }
        }
        assertTrue(!Files.exists(group), "could not remove " + group);
    }

    /** Where memory cgroups can be made, and in which version. */
    private record Hierarchy(Path mount, boolean v1) {

        static Optional<Hierarchy> find() throws IOException {
            Path mountInfo = Path.of("/proc/self/mountinfo");
            if (!Files.isReadable(mountInfo)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(mountInfo);
            for (String line : lines) {
                String[] fields = line.split(" ");
                int dash = List.of(fields).indexOf("-");
                if (dash > 0
                        && fields[dash + 1].equals("cgroup")
                        && List.of(fields[fields.length - 1].split(",")).contains("memory")) {
                    return Optional.of(new Hierarchy(Path.of(fields[4]), true));
                }
            }
            for (String line : lines) {
                String[] fields = line.split(" ");
                int dash = List.of(fields).indexOf("-");
                if (dash > 0 && fields[dash + 1].equals("cgroup2")) {
                    Path mount = Path.of(fields[4]);
                    Path subtree = mount.resolve("cgroup.subtree_control");
                    if (Files.isReadable(subtree)
                            && List.of(Files.readString(subtree).strip().split(" "))
                                    .contains("memory")) {
                        return Optional.of(new Hierarchy(mount, false));
                    }
                }
            }
            return Optional.empty();
        }
    }
}

package dev.autobatch.autotune.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupMemoryLimitTest {

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    /** cgroup v1's "unlimited" with 4 KiB pages, as this very machine reports it. */
    private static final String V1_UNLIMITED = "9223372036854771712\n";

    @TempDir
    Path tmp;

    @Test
    void v2ReadsTheLimitOfTheProcesssOwnCgroup() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("user.slice/app.scope/memory.max"), "17179869184\n");
        write(mount.resolve("user.slice/memory.max"), "max\n");

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("0::/user.slice/app.scope\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"))
                .limitBytes();

        assertEquals(16 * GIB, limit);
    }

    @Test
    void v2MaxEverywhereMeansNoLimit() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("system.slice/job.service/memory.max"), "max\n");
        write(mount.resolve("system.slice/memory.max"), "max\n");

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("0::/system.slice/job.service\n"),
                        mountInfo(v2Line("/", mount)),
                        tmp.resolve("absent"))
                .limitBytes();

        assertEquals(-1, limit);
    }

    @Test
    void aParentsLimitBindsAChildWithoutOne() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("batch/job-7/step-0/memory.max"), "max\n");
        write(mount.resolve("batch/job-7/memory.max"), String.valueOf(8 * GIB));
        write(mount.resolve("batch/memory.max"), String.valueOf(64 * GIB));

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("0::/batch/job-7/step-0\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"))
                .limitBytes();

        assertEquals(8 * GIB, limit);
    }

    @Test
    void theSmallestLimitOnThePathToTheRootWins() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("outer/inner/memory.max"), String.valueOf(4 * GIB));
        write(mount.resolve("outer/memory.max"), String.valueOf(8 * GIB));

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("0::/outer/inner\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"))
                .limitBytes();

        assertEquals(4 * GIB, limit);
    }

    @Test
    void v2ContainerWithItsOwnNamespaceReadsTheMountPoint() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("memory.max"), String.valueOf(2 * GIB));

        long limit = CgroupMemoryLimit.read(cgroupFile("0::/\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"))
                .limitBytes();

        assertEquals(2 * GIB, limit);
    }

    @Test
    void v1HugeValuesMeanNoLimit() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("memory"));
        write(mount.resolve("process_api/40cfc98/memory.limit_in_bytes"), V1_UNLIMITED);
        write(mount.resolve("process_api/memory.limit_in_bytes"), V1_UNLIMITED);
        write(mount.resolve("memory.limit_in_bytes"), V1_UNLIMITED);

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("9:name=systemd:/\n4:memory:/process_api/40cfc98\n1:cpu:/\n0::/\n"),
                        mountInfo(v1Line("/", mount, "rw,memory"), v2Line("/", tmp.resolve("unified"))),
                        tmp.resolve("absent"))
                .limitBytes();

        assertEquals(-1, limit);
    }

    @Test
    void v1ReadsLimitInBytes() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("memory"));
        write(mount.resolve("docker/abc/memory.limit_in_bytes"), String.valueOf(3 * GIB));
        write(mount.resolve("memory.limit_in_bytes"), V1_UNLIMITED);

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("12:cpuset:/docker/abc\n5:memory:/docker/abc\n"),
                        mountInfo(v1Line("/", mount, "rw,memory")),
                        tmp.resolve("absent"))
                .limitBytes();

        assertEquals(3 * GIB, limit);
    }

    @Test
    void v1ControllersMayShareAHierarchy() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cpu,memory"));
        write(mount.resolve("job/memory.limit_in_bytes"), String.valueOf(5 * GIB));

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("3:cpu,memory:/job\n"),
                        mountInfo(v1Line("/", mount, "rw,cpu,memory")),
                        tmp.resolve("absent"))
                .limitBytes();

        assertEquals(5 * GIB, limit);
    }

    @Test
    void v1ContainerWithoutANamespaceReadsItsCgroupAtTheMountPoint() throws IOException {
        // Docker on cgroup v1 mounts the container's own cgroup, /docker/<id>, at /sys/fs/cgroup/memory.
        Path mount = Files.createDirectories(tmp.resolve("memory"));
        write(mount.resolve("memory.limit_in_bytes"), String.valueOf(GIB));

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("4:memory:/docker/0123abcd\n"),
                        mountInfo(v1Line("/docker/0123abcd", mount, "rw,memory")),
                        tmp.resolve("absent"))
                .limitBytes();

        assertEquals(GIB, limit);
    }

    @Test
    void aCgroupNotVisibleUnderTheMountFallsBackToTheMountPoint() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("memory"));
        write(mount.resolve("memory.limit_in_bytes"), String.valueOf(6 * GIB));

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("4:memory:/kubepods/pod1/ctr\n"),
                        mountInfo(v1Line("/", mount, "rw,memory")),
                        tmp.resolve("absent"))
                .limitBytes();

        assertEquals(6 * GIB, limit);
    }

    @Test
    void pathsEscapingTheMountAreNotFollowed() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("memory.max"), String.valueOf(7 * GIB));
        write(tmp.resolve("memory.max"), String.valueOf(GIB));

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("0::/../..\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"))
                .limitBytes();

        assertEquals(7 * GIB, limit);
    }

    @Test
    void hybridLayoutsReadTheMemoryControllerInV1() throws IOException {
        Path v1 = Files.createDirectories(tmp.resolve("memory"));
        Path v2 = Files.createDirectories(tmp.resolve("unified"));
        write(v1.resolve("svc/memory.limit_in_bytes"), String.valueOf(2 * GIB));
        write(v2.resolve("svc/memory.max"), String.valueOf(9 * GIB));

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("4:memory:/svc\n0::/svc\n"),
                        mountInfo(v1Line("/", v1, "rw,memory"), v2Line("/", v2)),
                        tmp.resolve("absent"))
                .limitBytes();

        assertEquals(2 * GIB, limit);
    }

    @Test
    void mountPointsWithEscapedSpacesAreFound() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("with space"));
        write(mount.resolve("memory.max"), String.valueOf(GIB));
        String line =
                "40 22 0:37 / " + mount.toString().replace(" ", "\\040") + " rw,relatime shared:9 - cgroup2 cgroup2 rw";

        long limit = CgroupMemoryLimit.read(cgroupFile("0::/\n"), mountInfo(line), tmp.resolve("absent"))
                .limitBytes();

        assertEquals(GIB, limit);
    }

    @Test
    void withoutMountInfoTheDefaultRootIsRead() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("sys-fs-cgroup"));
        write(root.resolve("app/memory.max"), String.valueOf(3 * GIB));

        long limit = CgroupMemoryLimit.read(cgroupFile("0::/app\n"), tmp.resolve("no-mountinfo"), root)
                .limitBytes();

        assertEquals(3 * GIB, limit);
    }

    @Test
    void withoutV2MountInfoTheDefaultV1MemoryRootIsRead() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("sys-fs-cgroup"));
        write(root.resolve("memory/app/memory.limit_in_bytes"), String.valueOf(GIB));

        long limit = CgroupMemoryLimit.read(cgroupFile("4:memory:/app\n"), tmp.resolve("no-mountinfo"), root)
                .limitBytes();

        assertEquals(GIB, limit);
    }

    @Test
    void unreadableFilesMeanUnknown() {
        CgroupMemoryLimit.Reading reading =
                CgroupMemoryLimit.read(tmp.resolve("no-cgroup"), tmp.resolve("no-mountinfo"), tmp.resolve("absent"));

        assertEquals(CgroupMemoryLimit.Reading.NONE, reading);
        assertEquals(-1, reading.freeBytes());
    }

    @Test
    void malformedFilesMeanUnknown() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("memory.max"), "lots\n");

        long limit = CgroupMemoryLimit.read(
                        cgroupFile("garbage\n::\n0::\n"),
                        mountInfo("short line", "- - -", v2Line("/", mount)),
                        tmp.resolve("absent"))
                .limitBytes();

        assertEquals(-1, limit);
    }

    @Test
    void parsesLimitFileText() {
        assertEquals(1073741824L, CgroupMemoryLimit.parseLimit("1073741824\n"));
        assertEquals(-1, CgroupMemoryLimit.parseLimit("max\n"));
        assertEquals(-1, CgroupMemoryLimit.parseLimit(V1_UNLIMITED));
        assertEquals(-1, CgroupMemoryLimit.parseLimit("9223372036854775807"));
        assertEquals(-1, CgroupMemoryLimit.parseLimit("99999999999999999999999"));
        assertEquals(-1, CgroupMemoryLimit.parseLimit("0"));
        assertEquals(-1, CgroupMemoryLimit.parseLimit("-1"));
        assertEquals(-1, CgroupMemoryLimit.parseLimit(""));
    }

    @Test
    void thisMachinesLimitIsPositiveOrUnknownAndItsUsageWithinReason() {
        CgroupMemoryLimit.Reading reading = CgroupMemoryLimit.read();

        assertTrue(reading.limitBytes() == -1 || reading.limitBytes() > 0, reading.toString());
        assertTrue(reading.usedBytes() >= -1, reading.toString());
        if (reading.limitBytes() < 0) {
            assertEquals(-1, reading.usedBytes(), reading.toString());
        }
    }

    @Test
    void v2SubtractsWhatTheSharedGroupUsesLessItsInactiveFilePages() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        Path group = mount.resolve("ctr");
        write(group.resolve("memory.max"), String.valueOf(1200 * MIB));
        // This process and a 520 MiB neighbour, plus 100 MiB of page cache the kernel reclaims first.
        write(group.resolve("memory.current"), String.valueOf(920 * MIB));
        write(
                group.resolve("memory.stat"),
                "anon 943718400\nfile 209715200\nactive_file 52428800\ninactive_file " + 100 * MIB + "\n");

        CgroupMemoryLimit.Reading reading =
                CgroupMemoryLimit.read(cgroupFile("0::/ctr\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"));

        assertEquals(new CgroupMemoryLimit.Reading(1200 * MIB, 820 * MIB), reading);
        assertEquals(380 * MIB, reading.freeBytes());
    }

    @Test
    void v2ReadsTheUsageOfTheLimitedAncestorWhenTheOwnGroupHasNoLimit() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("pod/app/memory.max"), "max\n");
        write(mount.resolve("pod/app/memory.current"), String.valueOf(300 * MIB));
        write(mount.resolve("pod/memory.max"), String.valueOf(2 * GIB));
        // The pod's sidecar counts here, not in the app's own group.
        write(mount.resolve("pod/memory.current"), String.valueOf(GIB));
        write(mount.resolve("pod/memory.stat"), "inactive_file 0\n");

        CgroupMemoryLimit.Reading reading = CgroupMemoryLimit.read(
                cgroupFile("0::/pod/app\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"));

        assertEquals(new CgroupMemoryLimit.Reading(2 * GIB, GIB), reading);
    }

    @Test
    void theAncestorWithTheLeastRoomBindsEvenWithTheLargerLimit() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("job/step/memory.max"), String.valueOf(4 * GIB));
        write(mount.resolve("job/step/memory.current"), String.valueOf(GIB));
        write(mount.resolve("job/memory.max"), String.valueOf(6 * GIB));
        write(mount.resolve("job/memory.current"), String.valueOf(5 * GIB));

        CgroupMemoryLimit.Reading reading = CgroupMemoryLimit.read(
                cgroupFile("0::/job/step\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"));

        assertEquals(new CgroupMemoryLimit.Reading(6 * GIB, 5 * GIB), reading);
        assertEquals(GIB, reading.freeBytes());
    }

    @Test
    void v1SubtractsTheHierarchicalInactiveFilePagesFromTheSharedGroupsUsage() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("memory"));
        Path group = mount.resolve("autobatch-check");
        write(group.resolve("memory.limit_in_bytes"), String.valueOf(900 * MIB));
        write(group.resolve("memory.usage_in_bytes"), String.valueOf(700 * MIB));
        // The group's own inactive_file is smaller than the one that counts its children too.
        write(
                group.resolve("memory.stat"),
                "cache 1\ninactive_file " + 10 * MIB + "\nhierarchical_memory_limit " + 900 * MIB
                        + "\ntotal_inactive_file " + 50 * MIB + "\n");
        write(mount.resolve("memory.limit_in_bytes"), V1_UNLIMITED);
        write(mount.resolve("memory.usage_in_bytes"), String.valueOf(20 * GIB));

        CgroupMemoryLimit.Reading reading = CgroupMemoryLimit.read(
                cgroupFile("4:memory:/autobatch-check\n0::/\n"),
                mountInfo(v1Line("/", mount, "rw,memory")),
                tmp.resolve("absent"));

        assertEquals(new CgroupMemoryLimit.Reading(900 * MIB, 650 * MIB), reading);
    }

    @Test
    void v1ReadsTheLimitedAncestorOfAnUnlimitedGroup() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("memory"));
        write(mount.resolve("process_api/9637e9f4/memory.limit_in_bytes"), V1_UNLIMITED);
        write(mount.resolve("process_api/9637e9f4/memory.usage_in_bytes"), String.valueOf(10 * MIB));
        write(mount.resolve("process_api/memory.limit_in_bytes"), String.valueOf(3 * GIB));
        write(mount.resolve("process_api/memory.usage_in_bytes"), String.valueOf(2 * GIB));
        write(mount.resolve("process_api/memory.stat"), "total_inactive_file " + 512 * MIB + "\n");

        CgroupMemoryLimit.Reading reading = CgroupMemoryLimit.read(
                cgroupFile("4:memory:/process_api/9637e9f4\n"),
                mountInfo(v1Line("/", mount, "rw,memory")),
                tmp.resolve("absent"));

        assertEquals(new CgroupMemoryLimit.Reading(3 * GIB, 1536 * MIB), reading);
    }

    @Test
    void anUnreadableUsageLeavesTheWholeLimitAsRoom() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("app/memory.max"), String.valueOf(2 * GIB));
        write(mount.resolve("app/memory.current"), "garbage\n");

        CgroupMemoryLimit.Reading reading =
                CgroupMemoryLimit.read(cgroupFile("0::/app\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"));

        assertEquals(new CgroupMemoryLimit.Reading(2 * GIB, -1), reading);
        assertEquals(2 * GIB, reading.freeBytes());
    }

    @Test
    void pageCacheAboveTheUsageLeavesNothingUsed() throws IOException {
        Path mount = Files.createDirectories(tmp.resolve("cgroup"));
        write(mount.resolve("app/memory.max"), String.valueOf(GIB));
        write(mount.resolve("app/memory.current"), String.valueOf(10 * MIB));
        write(mount.resolve("app/memory.stat"), "inactive_file " + 20 * MIB + "\n");

        CgroupMemoryLimit.Reading reading =
                CgroupMemoryLimit.read(cgroupFile("0::/app\n"), mountInfo(v2Line("/", mount)), tmp.resolve("absent"));

        assertEquals(new CgroupMemoryLimit.Reading(GIB, 0), reading);
    }

    @Test
    void findsOneCounterInMemoryStat() {
        String stat = "anon 5\nfile 7\ninactive_file 3\ntotal_inactive_file 11\n";

        assertEquals(3, CgroupMemoryLimit.statValue(stat, "inactive_file"));
        assertEquals(11, CgroupMemoryLimit.statValue(stat, "total_inactive_file"));
        assertEquals(-1, CgroupMemoryLimit.statValue(stat, "active_file"));
        assertEquals(-1, CgroupMemoryLimit.statValue("inactive_file lots\n", "inactive_file"));
        assertEquals(-1, CgroupMemoryLimit.statValue(null, "inactive_file"));
    }

    private Path cgroupFile(String content) throws IOException {
        return write(tmp.resolve("proc-self-cgroup"), content);
    }

    private Path mountInfo(String... lines) throws IOException {
        return write(tmp.resolve("proc-self-mountinfo"), String.join("\n", lines) + "\n");
    }

    private static String v2Line(String root, Path mountPoint) {
        return "40 30 0:37 " + root + " " + mountPoint
                + " rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw";
    }

    private static String v1Line(String root, Path mountPoint, String superOptions) {
        return "34 30 0:31 " + root + " " + mountPoint + " rw,relatime - cgroup cgroup " + superOptions;
    }

    private static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }
}

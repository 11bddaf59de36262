package dev.autobatch.autotune.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads the memory limit of the Linux control group (cgroup) this process runs in, the limit a
 * container runtime, systemd or a batch scheduler set on it, and what the group already uses:
 * other processes in a container count against its limit just as this one does, so the room left
 * to this process is the limit less the group's usage (plus what this process itself holds).
 *
 * <p>The process's own cgroup comes from {@code /proc/self/cgroup}: the line whose controllers
 * include {@code memory} (cgroup v1) or the line {@code 0::path} (cgroup v2). Where that hierarchy
 * is mounted comes from {@code /proc/self/mountinfo}, falling back to {@code /sys/fs/cgroup/memory}
 * (v1) and {@code /sys/fs/cgroup} (v2). The limit is {@code memory.limit_in_bytes} (v1) or {@code
 * memory.max} (v2); the usage {@code memory.usage_in_bytes} (v1) or {@code memory.current} (v2),
 * less the page cache the kernel reclaims before it kills anything, the inactive file pages of
 * {@code memory.stat} ({@code total_inactive_file} in v1, which counts the group's children as its
 * usage does; {@code inactive_file} in v2). A parent's limit binds its children too, and it may be
 * the tighter one where the parent's other children use memory, so every limited group from the
 * process's cgroup up to the root of the mounted hierarchy is read and the one with the least room
 * left is the one reported. Where both hierarchies exist (the hybrid layout), the memory controller
 * lives in v1, so v1 is read first.
 */
final class CgroupMemoryLimit {

    /**
     * Limits at or above this are "no limit": cgroup v1 writes its unlimited value as the largest
     * page-aligned count of bytes, {@code 9223372036854771712} with 4 KiB pages.
     */
    static final long UNLIMITED_THRESHOLD = Long.MAX_VALUE / 2;

    private CgroupMemoryLimit() {}

    /**
     * What the cgroup that binds this process allows and holds.
     *
     * @param limitBytes the group's memory limit, or {@code -1} when there is none or it cannot be
     *     read
     * @param usedBytes what the whole group holds, every process in it, less reclaimable page
     *     cache; {@code -1} when there is no limit or the usage cannot be read
     */
    record Reading(long limitBytes, long usedBytes) {

        /** No limit, or none readable. */
        static final Reading NONE = new Reading(-1, -1);

        /**
         * Returns the memory the group may still take before the kernel reclaims from or kills
         * one of its processes.
         *
         * @return {@code limit - used}, at least zero; the limit where the usage is unknown;
         *     {@code -1} without a limit
         */
        long freeBytes() {
            if (limitBytes < 0) {
                return -1;
            }
            return usedBytes < 0 ? limitBytes : Math.max(0, limitBytes - usedBytes);
        }
    }

    /** The files of one cgroup version's memory controller. */
    private enum Version {
        V1("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"),
        V2("memory.max", "memory.current", "inactive_file");

        final String limitFile;
        final String usageFile;
        final String reclaimableStat;

        Version(String limitFile, String usageFile, String reclaimableStat) {
            this.limitFile = limitFile;
            this.usageFile = usageFile;
            this.reclaimableStat = reclaimableStat;
        }
    }

    /**
     * Reads the limit and usage of the cgroup that binds this process.
     *
     * @return the reading; {@link Reading#NONE} when there is no limit or it cannot be read
     */
    static Reading read() {
        return read(Path.of("/proc/self/cgroup"), Path.of("/proc/self/mountinfo"), Path.of("/sys/fs/cgroup"));
    }

    /**
     * Reads the limit and usage of the binding cgroup from the given files, so that tests can feed
     * samples of either cgroup version.
     *
     * @param procSelfCgroup a file in the format of {@code /proc/self/cgroup}
     * @param mountInfo a file in the format of {@code /proc/self/mountinfo}
     * @param defaultRoot where cgroup hierarchies are mounted when {@code mountInfo} names none,
     *     normally {@code /sys/fs/cgroup}
     * @return the reading; {@link Reading#NONE} when there is no limit or it cannot be read;
     *     never throws
     */
    static Reading read(Path procSelfCgroup, Path mountInfo, Path defaultRoot) {
        try {
            List<String> cgroupLines = readLines(procSelfCgroup);
            List<Mount> mounts = readLines(mountInfo).stream()
                    .map(CgroupMemoryLimit::parseMount)
                    .flatMap(Optional::stream)
                    .toList();

            Optional<String> v1Path = v1MemoryPath(cgroupLines);
            Optional<Mount> v1Mount = mounts.stream().filter(Mount::isV1Memory).findFirst();
            if (v1Path.isPresent() || v1Mount.isPresent()) {
                Mount mount = v1Mount.orElse(new Mount("/", defaultRoot.resolve("memory"), "cgroup", "memory"));
                if (Files.isDirectory(mount.mountPoint())) {
                    return binding(mount, v1Path.orElse("/"), Version.V1);
                }
            }
            Optional<String> v2Path = v2Path(cgroupLines);
            Optional<Mount> v2Mount = mounts.stream().filter(Mount::isV2).findFirst();
            Mount mount = v2Mount.orElse(new Mount("/", defaultRoot, "cgroup2", ""));
            if (Files.isDirectory(mount.mountPoint())) {
                return binding(mount, v2Path.orElse("/"), Version.V2);
            }
            return Reading.NONE;
        } catch (RuntimeException e) {
            // Malformed files or odd paths: the limit is unknown, which the caller handles.
            return Reading.NONE;
        }
    }

    /**
     * Parses the text of a limit file.
     *
     * @param text the content of {@code memory.max} or {@code memory.limit_in_bytes}
     * @return the limit in bytes, or {@code -1} for {@code "max"}, an unlimited value (at or above
     *     {@link #UNLIMITED_THRESHOLD}), zero, or text that is not a number
     */
    static long parseLimit(String text) {
        // "max" (v2's no limit) and text that is no number parse as -1; more digits than a long
        // holds too, as no real limit is that large.
        long limit = parseCount(text);
        return limit <= 0 || limit >= UNLIMITED_THRESHOLD ? -1 : limit;
    }

    private static Reading binding(Mount mount, String cgroupPath, Version version) {
        Path mountPoint = mount.mountPoint().toAbsolutePath().normalize();
        Path dir = mountPoint.resolve(relativeTo(mount.root(), cgroupPath)).normalize();
        if (!dir.startsWith(mountPoint) || !Files.isDirectory(dir)) {
            // The process's cgroup is not visible under the mount (a container without its own
            // cgroup namespace sees its cgroup as the mount's root): read from the mount point.
            dir = mountPoint;
        }
        Reading tightest = Reading.NONE;
        for (Path d = dir; d != null && d.startsWith(mountPoint); d = d.getParent()) {
            long limit = readLimit(d.resolve(version.limitFile));
            if (limit <= 0) {
                continue;
            }
            Reading reading = new Reading(limit, used(d, version));
            // Nearest first, so of two groups with equal room the nearer one is reported.
            if (tightest.limitBytes() < 0 || reading.freeBytes() < tightest.freeBytes()) {
                tightest = reading;
            }
        }
        return tightest;
    }

    /** The group's usage less its reclaimable page cache, or {@code -1} if unreadable. */
    private static long used(Path dir, Version version) {
        long usage = parseCount(readText(dir.resolve(version.usageFile)));
        if (usage < 0) {
            return -1;
        }
        long reclaimable = statValue(readText(dir.resolve("memory.stat")), version.reclaimableStat);
        return Math.max(0, usage - Math.max(0, reclaimable));
    }

    /**
     * Finds one counter in the text of a {@code memory.stat} file, lines of {@code name value}.
     *
     * @param stat the file's text, or {@code null} if unreadable
     * @param name the counter
     * @return its value, or {@code -1} if absent or not a number
     */
    static long statValue(String stat, String name) {
        if (stat == null) {
            return -1;
        }
        for (String line : stat.split("\n")) {
            String[] parts = line.strip().split("\s+");
            if (parts.length == 2 && parts[0].equals(name)) {
                return parseCount(parts[1]);
            }
        }
        return -1;
    }

    private static long parseCount(String text) {
        if (text == null) {
            return -1;
        }
        String value = text.strip();
        if (value.isEmpty() || !value.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String relativeTo(String root, String cgroupPath) {
        String relative;
        if (root.equals("/")) {
            relative = cgroupPath;
        } else if (cgroupPath.equals(root) || cgroupPath.startsWith(root + "/")) {
            relative = cgroupPath.substring(root.length());
        } else {
            relative = "";
        }
        return relative.replaceFirst("^/+", "");
    }

    private static long readLimit(Path file) {
        String text = readText(file);
        return text == null ? -1 : parseLimit(text);
    }

    private static String readText(Path file) {
        try {
            return Files.isReadable(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    private static Optional<String> v1MemoryPath(List<String> cgroupLines) {
        for (String line : cgroupLines) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && List.of(parts[1].split(",")).contains("memory")) {
                return Optional.of(parts[2].strip());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> v2Path(List<String> cgroupLines) {
        for (String line : cgroupLines) {
            if (line.startsWith("0::")) {
                return Optional.of(line.substring(3).strip());
            }
        }
        return Optional.empty();
    }

    /**
     * Parses one line of {@code /proc/self/mountinfo}: {@code id parent major:minor root
     * mount-point options [optional fields...] - fstype source super-options}.
     */
    private static Optional<Mount> parseMount(String line) {
        String[] fields = line.trim().split(" ");
        int separator = List.of(fields).indexOf("-");
        if (separator < 6 || fields.length < separator + 3) {
            return Optional.empty();
        }
        String fsType = fields[separator + 1];
        if (!fsType.equals("cgroup") && !fsType.equals("cgroup2")) {
            return Optional.empty();
        }
        String superOptions = fields.length > separator + 3 ? fields[separator + 3] : "";
        return Optional.of(new Mount(unescape(fields[3]), Path.of(unescape(fields[4])), fsType, superOptions));
    }

    /** Undoes mountinfo's octal escapes of space, tab, newline and backslash ({@code \040}). */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.isReadable(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** A mounted cgroup hierarchy: the cgroup shown at {@code mountPoint} is {@code root}. */
    private record Mount(String root, Path mountPoint, String fsType, String superOptions) {

        boolean isV1Memory() {
            return fsType.equals("cgroup") && List.of(superOptions.split(",")).contains("memory");
        }

        boolean isV2() {
            return fsType.equals("cgroup2");
        }
    }
}

package dev.autobatch.autotune.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes files so that a reader, or a later run after this one was interrupted, finds either the
 * new files or the old ones, never a half-written file or a mix of old and new: every file of a
 * set is written to a hidden temporary beside it first, and only then are all renamed over their
 * names (an atomic rename where the file system supports it).
 *
 * <p>A signal that ends the JVM (Ctrl-C, {@code kill}) runs its shutdown hooks; this class's
 * hook waits for a set's renames that have begun to finish, and deletes the temporaries of sets
 * whose renames have not, so the old set stays whole. A process killed outright ({@code kill -9},
 * the out-of-memory killer) can leave temporaries; the next write into the directory deletes
 * those whose writer is gone ({@link #removeLeftovers}). One helper for every file AutoBatch
 * writes: reports, the cache, the Maven goal's properties and the main job's tables.
 */
public final class AtomicFiles {

    /** Temporaries are named {@code .<name>.autobatch-<pid>-<random>.tmp}. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.autobatch-(\\d+)-[0-9a-f]{8}\\.tmp");
    /**
     * Temporaries of earlier versions, which named no writer: {@code .report.json.<uuid>.tmp} and
     * the like, and the cache's {@code .<digest><digits>.tmp}.
     */
    private static final Pattern OLD_TEMPORARY =
            Pattern.compile("\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp"
                    + "|\\.[0-9a-f]{64}\\d+\\.tmp");
    /**
     * A temporary lives for the milliseconds between its write and its rename; one this old whose
     * writer is gone is a leftover. The wait covers a writer this process cannot see (another PID
     * namespace sharing the directory) in the middle of its write.
     */
    static final Duration LEFTOVER_AGE = Duration.ofSeconds(10);

    private static final Object COMMIT = new Object();
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
    private static boolean shuttingDown;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::abandonPending, "autobatch-atomic-files"));
        } catch (IllegalStateException e) {
            // Loaded while the JVM already shuts down: writes then fail in commit() instead.
            shuttingDown = true;
        }
    }

    private AtomicFiles() {}

    /**
     * Writes one file whole or not at all, creating its directory if missing.
     *
     * @param file the file
     * @param content its bytes
     * @throws IOException if the directory cannot be created or written; the file is then as it
     *     was
     */
    public static void write(Path file, byte[] content) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        writeAll(directory, Map.of(file.getFileName().toString(), content));
    }

    /**
     * Writes a set of files into one directory, creating it if missing: all of them are written to
     * temporaries first, then renamed over their names one after the other, with nothing else in
     * between and a JVM shutdown held off until the last. Leftover temporaries of interrupted
     * earlier writes are deleted first.
     *
     * @param directory the directory
     * @param files the file names, in the order of their renames, and their bytes
     * @return the files written, in the same order
     * @throws IOException if the directory cannot be created or written, or the JVM is shutting
     *     down; the files are then as they were, every one of them
     */
    public static List<Path> writeAll(Path directory, Map<String, byte[]> files) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Map<Path, Path> temporaries = new LinkedHashMap<>();
        try {
            Files.createDirectories(directory);
            removeLeftovers(directory);
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path target = directory.resolve(file.getKey());
                if (Files.isDirectory(target)) {
                    // The one rename that would fail midway, leaving the set half renamed: refuse first.
                    throw new IOException(target + " is a directory, so the file of that name cannot be written");
                }
                Path temp = directory.resolve(temporaryName(file.getKey()));
                temporaries.put(target, temp);
                try (OutputStream out = create(temp)) {
                    out.write(file.getValue());
                }
            }
            commit(temporaries);
            return List.copyOf(temporaries.keySet());
        } finally {
            for (Path temp : temporaries.values()) {
                deleteQuietly(temp);
                PENDING.remove(temp);
            }
        }
    }

    /**
     * Checks that files can be written into a directory, creating it if missing, by writing and
     * deleting a temporary: a run can then fail at its start rather than after an hour of work.
     * Deletes leftover temporaries of interrupted earlier writes.
     *
     * @param directory the directory
     * @throws IOException if it cannot be created or written
     */
    public static void checkWritable(Path directory) throws IOException {
        Files.createDirectories(directory);
        removeLeftovers(directory);
        Path probe = directory.resolve(temporaryName("write-check"));
        try {
            create(probe).close();
        } finally {
            deleteQuietly(probe);
            PENDING.remove(probe);
        }
    }

    /**
     * Deletes the temporaries that interrupted writes left in a directory: those at least {@link
     * #LEFTOVER_AGE} old whose writing process is no longer running (or started after the
     * temporary was written, a reused process id), and those of earlier versions, which named no
     * writer. Never throws: what cannot be listed or deleted stays, hidden and named {@code .tmp}.
     *
     * @param directory the directory
     * @return how many were deleted
     */
    public static int removeLeftovers(Path directory) {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, ".*.tmp")) {
            for (Path entry : entries) {
                if (isLeftover(entry, Instant.now()) && Files.deleteIfExists(entry)) {
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // A directory that cannot be listed has nothing we could delete either.
        }
        return removed;
    }

    static boolean isLeftover(Path entry, Instant now) throws IOException {
        String name = entry.getFileName().toString();
        Matcher ours = TEMPORARY.matcher(name);
        boolean old = OLD_TEMPORARY.matcher(name).matches();
        if (!ours.matches() && !old) {
            return false;
        }
        Instant written;
        try {
            written = Files.getLastModifiedTime(entry).toInstant();
        } catch (NoSuchFileException e) {
            return false;
        }
        if (written.plus(LEFTOVER_AGE).isAfter(now)) {
            return false;
        }
        return old || !writerRunning(Long.parseLong(ours.group(1)), written);
    }

    private static boolean writerRunning(long pid, Instant written) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        // A process that started after the temporary was written only reuses the writer's id (a
        // container's JVM is process 1 every run); where the start is unknown, assume the writer.
        return process.map(p -> p.info()
                        .startInstant()
                        .map(start -> start.isBefore(written))
                        .orElse(true))
                .orElse(false);
    }

    private static String temporaryName(String name) {
        return "." + name + ".autobatch-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8) + ".tmp";
    }

    /**
     * Creates a temporary and registers it for the shutdown hook, both under the hook's lock, so
     * the hook deletes every temporary created before it ran and none is created after.
     */
    private static OutputStream create(Path temp) throws IOException {
        synchronized (COMMIT) {
            if (shuttingDown) {
                throw new IOException("the JVM is shutting down, so " + temp.getParent() + " was left as it was");
            }
            // CREATE_NEW rather than Files.createTempFile: the file gets the usual permissions
            // (readable by others, as reports are meant to be), not a temporary's owner-only ones.
            OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW);
            PENDING.add(temp);
            return out;
        }
    }

    private static void commit(Map<Path, Path> temporaries) throws IOException {
        synchronized (COMMIT) {
            if (shuttingDown) {
                throw new IOException(
                        "the JVM is shutting down, so " + temporaries.keySet() + " were left as they were");
            }
            for (Map.Entry<Path, Path> file : temporaries.entrySet()) {
                move(file.getValue(), file.getKey());
            }
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The shutdown hook: lets a set's renames finish, then deletes the temporaries of every set
     * not yet renamed, and refuses later sets.
     */
    private static void abandonPending() {
        synchronized (COMMIT) {
            shuttingDown = true;
            for (Path temp : new ArrayList<>(PENDING)) {
                deleteQuietly(temp);
            }
        }
    }

    /** Deletes a temporary that was not moved; a failure here must not hide the first one. */
    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // Hidden and named .tmp; removeLeftovers deletes it later.
        }
    }
}

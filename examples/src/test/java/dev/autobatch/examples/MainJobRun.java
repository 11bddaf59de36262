package dev.autobatch.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What one run of the main job printed and returned, run in this JVM as {@code bin/autobatch}
 * runs it.
 *
 * @param status the exit status
 * @param output what it printed, standard output and error together
 */
record MainJobRun(int status, String output) {

    static MainJobRun of(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            status = MainJob.run(args, out);
        }
        return new MainJobRun(status, bytes.toString(StandardCharsets.UTF_8));
    }
}

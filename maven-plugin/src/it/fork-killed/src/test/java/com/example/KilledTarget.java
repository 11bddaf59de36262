package com.example;

import ai.djl.Model;
import ai.djl.training.dataset.Dataset;
import dev.autobatch.autotune.TuningTarget;

/** Ends its JVM with SIGKILL, as the kernel's out-of-memory killer does. */
public class KilledTarget implements TuningTarget {

    @Override
    public Model model() throws Exception {
        new ProcessBuilder(
                        "kill", "-KILL", Long.toString(ProcessHandle.current().pid()))
                .start()
                .waitFor();
        Thread.sleep(60_000);
        throw new IllegalStateException("still alive after SIGKILL");
    }

    @Override
    public Dataset dataset(Model model) {
        throw new UnsupportedOperationException("never reached: model() ends the JVM");
    }
}

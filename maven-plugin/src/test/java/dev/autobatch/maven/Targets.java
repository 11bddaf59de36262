package dev.autobatch.maven;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Dataset;
import dev.autobatch.autotune.TuningTarget;
import java.io.IOException;

/** Tuning targets that go wrong in the ways a user's can, for the goal's tests. */
final class Targets {

    private Targets() {}

    /** A target whose model cannot be built. */
    public static final class FailingModel implements TuningTarget {
        /** The message of the failure. */
        static final String MESSAGE = "the weights file /no/such/file does not exist";

        /** Creates the target. */
        public FailingModel() {}

        @Override
        public Model model() throws IOException {
            throw new IOException(MESSAGE);
        }

        @Override
        public Dataset dataset(Model model) {
            throw new AssertionError("not reached");
        }
    }

    /** A real model whose every training trial fails: a layer that refuses batches above one. */
    public static final class FailsEveryTrial implements TuningTarget {
        /** The message of each trial's failure. */
        static final String MESSAGE = "this layer refuses batches of more than one sample";

        /** Creates the target. */
        public FailsEveryTrial() {}

        @Override
        public Model model() {
            Model model = Model.newInstance("fails-every-trial");
            model.setBlock(new SequentialBlock()
                    .add(Blocks.batchFlattenBlock())
                    .add(new LambdaBlock(list -> {
                        // Shape inference runs with one sample; trials with more.
                        if (list.head().getShape().get(0) > 1) {
                            throw new IllegalStateException(MESSAGE);
                        }
                        return list;
                    }))
                    .add(Linear.builder().setUnits(2).build()));
            return model;
        }

        @Override
        public Dataset dataset(Model model) {
            NDManager manager = model.getNDManager();
            return new ArrayDataset.Builder()
                    .setData(manager.randomUniform(0, 1, new Shape(64, 8)))
                    .optLabels(manager.zeros(new Shape(64)))
                    .setSampling(8, false)
                    .build();
        }
    }

    /** A target that ends its own JVM the way the kernel's out-of-memory killer would: SIGKILL. */
    public static final class KilledByTheKernel implements TuningTarget {
        /** Creates the target. */
        public KilledByTheKernel() {}

        @Override
        public Model model() throws Exception {
            new ProcessBuilder(
                            "kill",
                            "-KILL",
                            Long.toString(ProcessHandle.current().pid()))
                    .start()
                    .waitFor();
            Thread.sleep(60_000);
            throw new AssertionError("still alive after SIGKILL");
        }

        @Override
        public Dataset dataset(Model model) {
            throw new AssertionError("not reached");
        }
    }

    /** A target without a no-argument constructor. */
    public static final class NeedsArguments implements TuningTarget {
        /**
         * Creates the target.
         *
         * @param name ignored
         */
        public NeedsArguments(String name) {}

        @Override
        public Model model() {
            throw new AssertionError("not reached");
        }

        @Override
        public Dataset dataset(Model model) {
            throw new AssertionError("not reached");
        }
    }

    /** A class that is not a target. */
    public static final class NotATarget {
        /** Creates it. */
        public NotATarget() {}
    }
}

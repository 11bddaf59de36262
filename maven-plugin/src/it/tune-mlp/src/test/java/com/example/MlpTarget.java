package com.example;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Dataset;
import dev.autobatch.autotune.TuningTarget;

import java.util.Random;

/** A small MLP on 512 random samples of Fashion-MNIST's shape (784 floats, 10 classes). */
public class MlpTarget implements TuningTarget {

    private static final int SAMPLES = 512;
    private static final int FEATURES = 784;
    private static final int CLASSES = 10;

    @Override
    public Model model() {
        Model model = Model.newInstance("mlp");
        model.setBlock(
                new SequentialBlock()
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(64).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(CLASSES).build()));
        return model;
    }

    @Override
    public Dataset dataset(Model model) {
        Random random = new Random(42);
        float[] x = new float[SAMPLES * FEATURES];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] y = new float[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            y[i] = random.nextInt(CLASSES);
        }
        NDManager manager = model.getNDManager();
        return new ArrayDataset.Builder()
                .setData(manager.create(x, new Shape(SAMPLES, FEATURES)))
                .optLabels(manager.create(y, new Shape(SAMPLES)))
                .setSampling(32, true)
                .build();
    }
}

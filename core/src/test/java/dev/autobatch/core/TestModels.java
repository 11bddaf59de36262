package dev.autobatch.core;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;
import java.util.Random;
import java.util.function.Function;

/** Small real DJL models and data of Fashion-MNIST's shape for CPU tests; shared with autotune. */
public final class TestModels {

    private TestModels() {}

    /** A multilayer perceptron: in, one hidden ReLU layer, out. */
    public static Block mlp(int hidden, int out) {
        return new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(out).build());
    }

    /** A model whose activations dominate: each sample tiled {@code copies} times, then linear. */
    public static Block tiled(int copies, int out) {
        return new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(new LambdaBlock(list -> new NDList(NDArrays.concat(repeat(list.singletonOrThrow(), copies), 1))))
                .add(Linear.builder().setUnits(out).build());
    }

    private static NDList repeat(NDArray x, int copies) {
        NDList list = new NDList(copies);
        for (int i = 0; i < copies; i++) {
            list.add(x);
        }
        return list;
    }

    /** An MLP whose middle layer applies {@code middle} to the hidden activations. */
    public static Block mlpWith(int hidden, int out, Function<NDList, NDList> middle) {
        return new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(hidden).build())
                .add(new LambdaBlock(middle))
                .add(Linear.builder().setUnits(out).build());
    }

    public static Model model(String name, Block block) {
        Model model = Model.newInstance(name);
        model.setBlock(block);
        return model;
    }

    /** {@code n} random samples of {@code features} floats in [0, 1) with labels in [0, classes). */
    public static ArrayDataset randomData(NDManager manager, int n, int features, int classes) {
        Random random = new Random(42);
        float[] x = new float[n * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(classes);
        }
        NDArray data = manager.create(x, new Shape(n, features));
        NDArray labels = manager.create(y, new Shape(n));
        return new ArrayDataset.Builder()
                .setData(data)
                .optLabels(labels)
                .setSampling(32, false)
                .build();
    }
}

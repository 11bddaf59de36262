package dev.autobatch.examples.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import dev.autobatch.examples.data.FashionMnist;
import java.util.Locale;

/** The models the examples train on Fashion-MNIST. */
public enum ModelKind {

    /**
     * The classic MNIST model of DJL's examples: 784 inputs, one hidden layer of 128 ReLU units, 10
     * outputs (101,770 parameters).
     */
    MLP("784-128-10 MLP", FashionMnist.Layout.FLAT, new Shape(1, 784), 10),

    /**
     * A small convolutional network: conv 5x5 x16 (padded) + ReLU + 2x2 max-pool, conv 5x5 x32
     * (padded) + ReLU + 2x2 max-pool, linear 10 (28,938 parameters, about 28 times the MLP's
     * arithmetic a sample).
     */
    CNN("CNN conv5x5x16-pool-conv5x5x32-pool-linear10", FashionMnist.Layout.IMAGE, new Shape(1, 1, 28, 28), 2);

    private final String description;
    private final FashionMnist.Layout layout;
    private final Shape inputShape;
    private final int defaultEpochs;

    ModelKind(String description, FashionMnist.Layout layout, Shape inputShape, int defaultEpochs) {
        this.description = description;
        this.layout = layout;
        this.inputShape = inputShape;
        this.defaultEpochs = defaultEpochs;
    }

    /**
     * Parses a model name as the command line gives it: {@code mlp} or {@code cnn}, any case.
     *
     * @param name the name
     * @return the model kind
     * @throws IllegalArgumentException naming the bad value and the choices
     */
    public static ModelKind parse(String name) {
        for (ModelKind kind : values()) {
            if (kind.name().equalsIgnoreCase(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "'; choose mlp or cnn");
    }

    /**
     * Returns a human description, such as {@code "784-128-10 MLP"}.
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * Returns the sample layout the model reads.
     *
     * @return the layout of the data to load for it
     */
    public FashionMnist.Layout layout() {
        return layout;
    }

    /**
     * Returns the input shape of a batch of one, for {@code Trainer.initialize}.
     *
     * @return the shape
     */
    public Shape inputShape() {
        return inputShape;
    }

    /**
     * Returns the epochs the main job trains by default, sized so a 2-core CPU finishes in a minute
     * or two: 10 for the MLP (about a second an epoch at its tuned size), 2 for the CNN (about a
     * minute an epoch).
     *
     * @return the default number of epochs
     */
    public int defaultEpochs() {
        return defaultEpochs;
    }

    /**
     * Returns the lower-case name the command line uses.
     *
     * @return {@code "mlp"} or {@code "cnn"}
     */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Seeds the engine and builds a new, uninitialised model of this kind. Models built after the
     * same seed get the same initial parameters when their trainer initialises them.
     *
     * @param name the model's name
     * @param seed the random seed given to {@code Engine.getInstance().setRandomSeed}
     * @return the model; the caller closes it
     */
    public Model newModel(String name, int seed) {
        return newModel(name, seed, null);
    }

    /**
     * Seeds the engine and builds a new, uninitialised model of this kind on a device.
     *
     * @param name the model's name
     * @param seed the random seed given to {@code Engine.getInstance().setRandomSeed}
     * @param device the device its parameters live on, or {@code null} for the engine's default
     * @return the model; the caller closes it
     */
    public Model newModel(String name, int seed, Device device) {
        Engine.getInstance().setRandomSeed(seed);
        Model model = Model.newInstance(name, device);
        model.setBlock(block());
        return model;
    }

    private Block block() {
        if (this == MLP) {
            return new SequentialBlock()
                    .add(Blocks.batchFlattenBlock(784))
                    .add(Linear.builder().setUnits(128).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(FashionMnist.CLASSES).build());
        }
        return new SequentialBlock()
                .add(conv(16))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(conv(32))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(FashionMnist.CLASSES).build());
    }

    private static Block conv(int filters) {
        return Conv2d.builder()
                .setKernelShape(new Shape(5, 5))
                .optPadding(new Shape(2, 2))
                .setFilters(filters)
                .build();
    }
}

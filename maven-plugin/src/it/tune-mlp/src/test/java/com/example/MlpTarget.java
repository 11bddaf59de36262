package com.example;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.TrainingConfig;
import ai.djl.training.TrainingResult;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.SaveModelTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import dev.autobatch.autotune.TuningTarget;
import java.util.Optional;
import java.util.Random;

/**
 * A small MLP on 512 random samples of Fashion-MNIST's shape (784 floats, 10 classes), with DJL's
 * TrainMnist training configuration: its listeners must not run while tuning (the checkpoint
 * callback would throw, reading a validation result no trial produces, and write a checkpoint).
 */
public class MlpTarget implements TuningTarget {

    private static final int SAMPLES = 512;
    private static final int FEATURES = 784;
    private static final int CLASSES = 10;

    @Override
    public Model model() {
        Model model = Model.newInstance("mlp");
        model.setBlock(new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(CLASSES).build()));
        return model;
    }

    @Override
    public Optional<TrainingConfig> trainingConfig() {
        String outputDir = "target/checkpoints";
        SaveModelTrainingListener listener = new SaveModelTrainingListener(outputDir);
        listener.setSaveModelCallback(trainer -> {
            TrainingResult result = trainer.getTrainingResult();
            Model model = trainer.getModel();
            float accuracy = result.getValidateEvaluation("Accuracy");
            model.setProperty("Accuracy", String.format("%.5f", accuracy));
            model.setProperty("Loss", String.format("%.5f", result.getValidateLoss()));
        });
        return Optional.of(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .addEvaluator(new Accuracy())
                .addTrainingListeners(TrainingListener.Defaults.logging(outputDir))
                .addTrainingListeners(listener));
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

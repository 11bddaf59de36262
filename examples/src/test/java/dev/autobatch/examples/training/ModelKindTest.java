package dev.autobatch.examples.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;

class ModelKindTest {

    private static long parameters(ModelKind kind) {
        try (Model model = kind.newModel("count", 1);
                NDManager manager = NDManager.newBaseManager()) {
            model.getBlock().setInitializer(Initializer.ONES, Parameter.Type.WEIGHT);
            model.getBlock().initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, kind.inputShape());
            long count = 0;
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                count += p.getValue().getArray().size();
            }
            NDArray out = model.getBlock()
                    .forward(new ParameterStore(manager, false), new NDList(manager.zeros(kind.inputShape())), false)
                    .singletonOrThrow();
            assertEquals(new Shape(1, 10), out.getShape());
            return count;
        }
    }

    @Test
    void theMlpIsTheClassicMnistModel() {
        assertEquals(784L * 128 + 128 + 128 * 10 + 10, parameters(ModelKind.MLP));
    }

    @Test
    void theCnnHasTwoPaddedConvolutionsAndOneLinearLayer() {
        assertEquals((16 * 25 + 16) + (32 * 16 * 25 + 32) + (32 * 7 * 7 * 10 + 10), parameters(ModelKind.CNN));
    }

    @Test
    void parsesCommandLineNamesInAnyCase() {
        assertEquals(ModelKind.CNN, ModelKind.parse("CNN"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelKind.parse("resnet"));
        assertTrue(e.getMessage().contains("'resnet'") && e.getMessage().contains("mlp or cnn"), e.getMessage());
    }
}

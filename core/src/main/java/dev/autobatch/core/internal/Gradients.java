package dev.autobatch.core.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/**
 * What a trial does with a block's gradients: reads the squared global norm, averages it over
 * steps, and zeroes the gradients after a failed step.
 */
public final class Gradients {

    private Gradients() {}

    /**
     * Returns the squared global L2 norm of the gradient: one norm a parameter, squared and summed
     * on the host. Every array it creates is closed here: results of operations on a gradient
     * belong to the parameter's manager, which lives as long as the model, so an unclosed one
     * would pile up there step after step.
     *
     * @param block the block whose parameters' gradients to read
     * @return the squared norm, 0 where no parameter has a gradient
     */
    public static double squaredGlobalNorm(Block block) {
        double sum = 0;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            NDArray array = pair.getValue().getArray();
            if (pair.getValue().requiresGradient() && array.hasGradient()) {
                try (NDArray gradient = array.getGradient();
                        NDArray norm = gradient.norm();
                        NDArray wide = norm.toType(DataType.FLOAT64, false)) {
                    double value = wide.getDouble();
                    sum += value * value;
                }
            }
        }
        return sum;
    }

    /**
     * Sets every gradient to 0: after a failed step the gradients may hold a partial sum, and the
     * next step must start at 0. Never throws: if this fails too, nothing more can be done here,
     * and the next trial's result will show any damage.
     *
     * @param block the block whose parameters' gradients to zero
     */
    public static void zero(Block block) {
        try {
            for (Pair<String, Parameter> pair : block.getParameters()) {
                NDArray array = pair.getValue().getArray();
                if (array != null && array.hasGradient()) {
                    try (NDArray gradient = array.getGradient()) {
                        gradient.subi(gradient);
                    }
                }
            }
        } catch (RuntimeException e) {
            // See the method's description.
        }
    }

    /**
     * Returns the mean of some values.
     *
     * @param values the values
     * @return their mean, {@code NaN} when there are none
     */
    public static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    /**
     * Returns the sample standard deviation (divided by {@code n - 1}) of some values.
     *
     * @param values the values
     * @return their standard deviation, {@code NaN} for fewer than two values
     */
    public static double standardDeviation(double[] values) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double mean = mean(values);
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }
}

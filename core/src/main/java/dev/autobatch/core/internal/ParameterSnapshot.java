package dev.autobatch.core.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A host copy of every initialised parameter of a block, so trials can train and the model still
 * ends exactly as it began. Restoring writes the saved bytes back into the same arrays, so the
 * parameters keep their identity and their gradients.
 */
public final class ParameterSnapshot {

    private final List<Parameter> parameters = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();

    private ParameterSnapshot() {}

    /**
     * Copies the block's parameters to host memory.
     *
     * @param block an initialised block
     * @return the snapshot
     */
    public static ParameterSnapshot of(Block block) {
        ParameterSnapshot snapshot = new ParameterSnapshot();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter parameter = pair.getValue();
            if (parameter.isInitialized()) {
                snapshot.parameters.add(parameter);
                snapshot.values.add(parameter.getArray().toByteArray());
            }
        }
        return snapshot;
    }

    /** Writes the saved values back into the parameters. */
    public void restore() {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray array = parameters.get(i).getArray();
            byte[] saved = values.get(i);
            if (!Arrays.equals(array.toByteArray(), saved)) {
                array.set(ByteBuffer.wrap(saved));
            }
        }
    }

    /**
     * Returns whether every parameter holds exactly the saved bytes.
     *
     * @return {@code true} if nothing changed since the snapshot
     */
    public boolean matchesCurrent() {
        for (int i = 0; i < parameters.size(); i++) {
            if (!Arrays.equals(parameters.get(i).getArray().toByteArray(), values.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns how many parameters the snapshot holds.
     *
     * @return the count
     */
    public int size() {
        return parameters.size();
    }
}

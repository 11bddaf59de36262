package dev.autobatch.autotune.cache;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.autobatch.autotune.probe.GpuInfo;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a cached result depends on, as named text fields: equal keys mean the result of one tuning
 * answers the other. {@link #of} builds the key {@code AutoBatch.tune} uses from four parts:
 *
 * <ul>
 *   <li>{@code hardware.*}: the machine's fingerprint, what does not change between runs: CPU
 *       model, physical and logical cores, total host memory, the container limit, each GPU's
 *       name and memory, the engine and its version, and its intra- and inter-op threads. Not the
 *       memory available at the moment, which varies from run to run: the budget derived from it
 *       is the cached one;
 *   <li>{@code device.*}: the device that trains and how many devices do;
 *   <li>{@code model.*}: the block's class, each parameter's name, shape and data type, and the
 *       shape of one sample's inputs. Not the parameters' values, nor the data's: the same
 *       architecture on data of the same shape trains at the same speed;
 *   <li>{@code options.*}: every option that changes the result, by its name: those {@code
 *       TuneOptions.cacheFields()} gives, and the facts of the run {@code AutoBatch} adds (the
 *       data set's size, the reference learning rate as resolved, the loss and the optimizer). The
 *       names and texts are those of the first release of the cache: changing one orphans every
 *       stored entry.
 * </ul>
 *
 * @param fields the fields, sorted by name
 */
public record CacheKey(SortedMap<String, String> fields) {

    /** Copies the fields. */
    public CacheKey {
        Objects.requireNonNull(fields, "fields");
        fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    }

    /**
     * Builds the key of a tuning.
     *
     * @param hardware the machine
     * @param device the device that trains, such as {@code "cpu()"}
     * @param devices how many devices train
     * @param block the model's block, initialised
     * @param inputShapes the shapes of one sample's inputs
     * @param options the options that change the result, by name
     * @return the key
     */
    public static CacheKey of(
            HardwareSnapshot hardware,
            String device,
            int devices,
            Block block,
            Shape[] inputShapes,
            Map<String, String> options) {
        SortedMap<String, String> fields = new TreeMap<>();
        fields.put("hardware.cpuModel", String.valueOf(hardware.cpuModel()));
        fields.put("hardware.physicalCores", Integer.toString(hardware.physicalCores()));
        fields.put("hardware.logicalCores", Integer.toString(hardware.logicalCores()));
        fields.put("hardware.totalMemoryBytes", Long.toString(hardware.totalMemoryBytes()));
        fields.put("hardware.containerLimitBytes", Long.toString(hardware.containerLimitBytes()));
        List<String> gpus = new ArrayList<>();
        for (GpuInfo gpu : hardware.gpus()) {
            gpus.add(gpu.index() + ":" + gpu.name() + ":" + gpu.totalBytes());
        }
        fields.put("hardware.gpus", String.join(", ", gpus));
        fields.put("hardware.engine", String.valueOf(hardware.engine()));
        fields.put("hardware.engineThreads", Integer.toString(hardware.engineThreads()));
        fields.put("hardware.engineInteropThreads", Integer.toString(hardware.engineInteropThreads()));
        fields.put("device.name", String.valueOf(device));
        fields.put("device.count", Integer.toString(devices));
        fields.put("model.block", block.getClass().getName());
        List<String> parameters = new ArrayList<>();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter parameter = pair.getValue();
            String shape = parameter.isInitialized()
                    ? parameter.getArray().getShape() + " "
                            + parameter.getArray().getDataType()
                    : "?";
            parameters.add(pair.getKey() + shape);
        }
        fields.put("model.parameters", String.join(", ", parameters));
        List<String> shapes = new ArrayList<>();
        for (Shape shape : inputShapes) {
            shapes.add(shape.toString());
        }
        fields.put("model.inputShapes", String.join(", ", shapes));
        for (Map.Entry<String, String> option : options.entrySet()) {
            fields.put("options." + option.getKey(), String.valueOf(option.getValue()));
        }
        return new CacheKey(fields);
    }

    /**
     * Returns a digest of the key, the cache entry's file name: SHA-256 of the fields, one {@code
     * name=value} a line, in hexadecimal.
     *
     * @return 64 hexadecimal digits
     */
    public String digest() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            text.append(field.getKey()).append('=').append(field.getValue()).append('\n');
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}

package dev.autobatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.util.Utils;
import org.junit.jupiter.api.Test;

class OfflineEngineTest {

    @Test
    void pyTorchLoadsOfflineFromTheMavenArtifacts() {
        // The build runs tests with offline mode on: loading must not need the network.
        assertTrue(Utils.isOfflineMode(), "tests must run with DJL_OFFLINE=true or -Doffline=true");
        Engine engine = Engine.getEngine("PyTorch");
        assertEquals("PyTorch", engine.getEngineName());
        assertEquals("2.7.1", engine.getVersion(), "the libtorch of pytorch-native-cpu 2.7.1");
        try (var manager = engine.newBaseManager()) {
            assertEquals(6f, manager.create(new float[] {1, 2, 3}).sum().getFloat());
        }
    }
}

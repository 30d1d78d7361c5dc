package org.apache.camel.component.logicwebhook.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every scenario of the benchmark with tiny counts (the smoke mode), so that it keeps working: it asserts only
 * that each produces its figures, not that a goal is met (a shared CI machine says nothing about those).
 */
class BenchmarkSmokeTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyScenarioProducesFigures() throws Exception {
        Path output = Paths.get("target", "benchmark-smoke");
        Map<String, Object> results = Benchmark.run(Settings.smokeRun(), Benchmark.scenarios("all"), output);

        Map<String, Object> trigger = (Map<String, Object>) results.get("trigger");
        assertPositive(trigger, "baseline");
        assertPositive(trigger, "logicwebhook");
        assertTrue((double) trigger.get("throughputRatio") > 0);

        Map<String, Object> action = (Map<String, Object>) results.get("action");
        for (String run : new String[] { "twoHops", "twoHopsOneThread", "threeHopsWithUnsubscribe" }) {
            assertPositive((Map<String, Object>) action.get(run), "baseline");
            assertPositive((Map<String, Object>) action.get(run), "logicwebhook");
        }
        assertEquals(0L, action.get("callbackErrors"));

        Map<String, Object> memory = (Map<String, Object>) results.get("memory");
        // the warm waits, the large count, and the one sample wait
        assertEquals(Settings.smokeRun().memoryWarm() + Settings.smokeRun().memoryLarge() + 1,
                memory.get("pendingAtEnd"));
        assertTrue(((Map<String, Object>) memory.get("large")).containsKey("bytesPerWait"));

        Map<String, Object> timeout = (Map<String, Object>) results.get("timeout");
        assertEquals((long) Settings.smokeRun().timeoutWaits(), timeout.get("timedOut"));
        assertEquals((long) Settings.smokeRun().timeoutWaits(), timeout.get("unsubscribesReceived"));
        assertTrue((long) timeout.get("allFailedMs") >= 0);

        Map<String, Object> stores = (Map<String, Object>) results.get("stores");
        Map<String, Object> writes = (Map<String, Object>) ((Map<String, Object>) stores.get("writes")).get("perStore");
        for (String store : new String[] { "memory", "h2" }) {
            Map<String, Object> rate = (Map<String, Object>) ((Map<String, Object>) writes.get(store)).get("waitsPerSecond");
            assertTrue((double) rate.get("median") > 0, store + " made no wait: " + writes.get(store));
            assertTrue(((Map<String, Object>) stores.get("heap")).containsKey(store));
        }
        assertTrue(((Map<String, Object>) stores.get("orphanScan")).containsKey("h2"));

        assertTrue(Files.size(output.resolve("results.json")) > 0);
        assertTrue(Files.size(output.resolve("performance.png")) > 0);
        System.out.println(Benchmark.summary(results));
    }

    @SuppressWarnings("unchecked")
    private static void assertPositive(Map<String, Object> scenario, String side) {
        Map<String, Object> figures = (Map<String, Object>) scenario.get(side);
        assertTrue((long) figures.get("operations") > 0, side + " did no operation: " + figures);
        assertEquals(0L, figures.get("errors"), side + " had errors: " + figures);
        assertTrue((double) figures.get("perSecond") > 0);
    }
}

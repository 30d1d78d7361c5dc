package org.apache.camel.component.logicwebhook.benchmark;

import java.util.LinkedHashMap;
import java.util.Map;

/** The counts and times of a run: the full run's, or the smoke run's tiny ones (which only check that it works). */
record Settings(boolean smoke, int concurrency, long warmupMillis, long measureMillis, int rounds, int memorySmall,
                int memoryLarge, int memoryWarm, int timeoutWaits, int timeoutWarmWaits, int payloadBytes) {

    static Settings fullRun() {
        return new Settings(false, 16, 8_000, 1_000, 12, 10_000, 100_000, 2_000, 10_000, 1_000, 256);
    }

    static Settings smokeRun() {
        return new Settings(true, 4, 300, 400, 1, 200, 500, 50, 200, 50, 256);
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("smoke", smoke);
        map.put("concurrency", concurrency);
        map.put("warmupMillis", warmupMillis);
        map.put("measureMillis", measureMillis);
        map.put("rounds", rounds);
        map.put("memoryWaits", new int[] { memorySmall, memoryLarge });
        map.put("memoryWarmWaits", memoryWarm);
        map.put("timeoutWaits", timeoutWaits);
        map.put("payloadBytes", payloadBytes);
        return map;
    }
}

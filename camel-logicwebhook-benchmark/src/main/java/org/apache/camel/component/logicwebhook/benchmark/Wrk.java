package org.apache.camel.component.logicwebhook.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs {@code wrk} (https://github.com/wg/wrk; Debian: {@code apt-get install wrk}) with a Lua script that POSTs the
 * benchmark's 256-byte JSON payload on keep-alive connections, and reads its summary: requests, non-2xx/3xx answers,
 * socket errors and timeouts, and latency percentiles of the answered requests.
 */
final class Wrk {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run of wrk counted. Latencies in milliseconds. */
    record Result(long requests, double seconds, long connectErrors, long readErrors, long writeErrors,
                  long statusErrors, long timeouts, double p50Ms, double p90Ms, double p99Ms, double maxMs, double meanMs) {

        /** Answered with a 2xx or 3xx. */
        long ok() {
            return requests - statusErrors;
        }

        double okPerSecond() {
            return seconds > 0 ? ok() / seconds : 0;
        }

        long errors() {
            return connectErrors + readErrors + writeErrors + statusErrors + timeouts;
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("requests", requests);
            map.put("seconds", Benchmark.round(seconds, 3));
            map.put("okPerSecond", Benchmark.round(okPerSecond(), 1));
            map.put("non2xx", statusErrors);
            map.put("socketErrors", Map.of("connect", connectErrors, "read", readErrors, "write", writeErrors));
            map.put("timeouts", timeouts);
            map.put("p50Ms", Benchmark.round(p50Ms, 3));
            map.put("p90Ms", Benchmark.round(p90Ms, 3));
            map.put("p99Ms", Benchmark.round(p99Ms, 3));
            map.put("maxMs", Benchmark.round(maxMs, 3));
            map.put("meanMs", Benchmark.round(meanMs, 3));
            return map;
        }
    }

    private final Path script;
    private final int threads;
    private final int timeoutSeconds;

    private Wrk(Path script, int threads, int timeoutSeconds) {
        this.script = script;
        this.threads = threads;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Writes the Lua script (POST, the payload, Content-Type, a JSON summary line) into {@code dir}. */
    static Wrk create(Path dir, byte[] payload, int threads, int timeoutSeconds) throws IOException {
        String body = new String(payload, StandardCharsets.UTF_8);
        if (body.contains("]]")) {
            throw new IllegalArgumentException("the payload cannot be a Lua long string");
        }
        String lua = """
                -- POST the benchmark's JSON payload on every request (written by Wrk.java)
                wrk.method = "POST"
                wrk.body = [[%s]]
                wrk.headers["Content-Type"] = "application/json"
                done = function(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format('WRK_RESULT {"requests":%%d,"durationMicros":%%d,"connect":%%d,"read":%%d,'
                    .. '"write":%%d,"status":%%d,"timeout":%%d,"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d,"mean":%%.1f}\\n',
                    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
                    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
                end
                """.formatted(body);
        Files.createDirectories(dir);
        Path script = dir.resolve("post-256-byte-json.lua");
        Files.writeString(script, lua);
        return new Wrk(script, threads, timeoutSeconds);
    }

    /** wrk's version line, or an exception when it is not installed. */
    static String version() throws IOException, InterruptedException {
        Process wrk = new ProcessBuilder("wrk", "-v").redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        return out.lines().findFirst().orElse("wrk").trim();
    }

    Result run(String url, int connections, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t", Integer.toString(Math.min(threads, connections)),
                "-c", Integer.toString(connections), "-d", seconds + "s", "--timeout", timeoutSeconds + "s",
                "-s", script.toString(), url));
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(seconds + 120L, TimeUnit.SECONDS)) {
            wrk.destroyForcibly();
            throw new IllegalStateException("wrk did not end: " + out);
        }
        String line = out.lines().filter(l -> l.startsWith("WRK_RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk gave no summary: " + out));
        JsonNode r = JSON.readTree(line.substring("WRK_RESULT ".length()));
        return new Result(r.get("requests").asLong(), r.get("durationMicros").asLong() / 1e6, r.get("connect").asLong(),
                r.get("read").asLong(), r.get("write").asLong(), r.get("status").asLong(), r.get("timeout").asLong(),
                r.get("p50").asLong() / 1e3, r.get("p90").asLong() / 1e3, r.get("p99").asLong() / 1e3,
                r.get("max").asLong() / 1e3, r.get("mean").asDouble() / 1e3);
    }
}

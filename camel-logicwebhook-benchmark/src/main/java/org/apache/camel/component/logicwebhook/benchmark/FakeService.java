package org.apache.camel.component.logicwebhook.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The remote service of the benchmark: a JDK HttpServer on loopback that keeps nothing per request (only counters), so
 * that it adds no heap per wait.
 * <ul>
 * <li>{@code POST /subscriptions}: the trigger subscribes; the callback URL is kept, {@code 201 {"id":"sub-1"}}.</li>
 * <li>{@code POST /jobs}: an action subscribes; {@code 201 {"id":"N"}}, then the service calls the callback URL back
 * with the payload (the same client and payload as the trigger's load).</li>
 * <li>{@code POST /waits}: an action subscribes; {@code 201 {"id":"N"}}, and no callback ever comes.</li>
 * <li>{@code DELETE /...}: an unsubscribe; {@code 204}.</li>
 * </ul>
 */
final class FakeService implements AutoCloseable {

    static {
        // must be set before the JDK HttpServer reads its configuration: else it answers through Nagle's algorithm and
        // every request waits out a 40 ms delayed ACK
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final byte[] EMPTY = new byte[0];

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final byte[] payload;
    private final AtomicLong ids = new AtomicLong();
    final LongAdder subscribes = new LongAdder();
    final LongAdder unsubscribes = new LongAdder();
    final LongAdder callbacksSent = new LongAdder();
    final LongAdder callbackErrors = new LongAdder();
    /** System.nanoTime() of the latest unsubscribe. */
    volatile long lastUnsubscribeNanos;
    volatile String triggerCallbackUrl;

    FakeService(HttpClient client, byte[] payload, int threads) throws IOException {
        this.client = client;
        this.payload = payload;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.createContext("/", this::handle);
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fake-service");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if ("DELETE".equals(method)) {
            unsubscribes.increment();
            lastUnsubscribeNanos = System.nanoTime();
            respond(exchange, 204, EMPTY);
            return;
        }
        if (!"POST".equals(method)) {
            respond(exchange, 405, EMPTY);
            return;
        }
        String callbackUrl = callbackUrl(body);
        if (callbackUrl == null) {
            respond(exchange, 400, "no callbackUrl".getBytes(StandardCharsets.UTF_8));
            return;
        }
        subscribes.increment();
        if (path.startsWith("/subscriptions")) {
            triggerCallbackUrl = callbackUrl;
            respond(exchange, 201, "{\"id\":\"sub-1\"}".getBytes(StandardCharsets.UTF_8));
        } else if (path.startsWith("/jobs")) {
            respond(exchange, 201, ("{\"id\":\"" + ids.incrementAndGet() + "\"}").getBytes(StandardCharsets.UTF_8));
            callBack(callbackUrl);
        } else if (path.startsWith("/waits")) {
            respond(exchange, 201, ("{\"id\":\"" + ids.incrementAndGet() + "\"}").getBytes(StandardCharsets.UTF_8));
        } else {
            respond(exchange, 404, EMPTY);
        }
    }

    /** The job is done: the service calls back, as a real one would, once it has answered the subscribe request. */
    private void callBack(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            callbacksSent.increment();
            if (error != null || response.statusCode() != 200) {
                callbackErrors.increment();
            }
        });
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (body.length > 0) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The callbackUrl of a {@code {"callbackUrl": "..."}} body, read without a JSON parser (the URL has no quotes). */
    static String callbackUrl(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        int key = text.indexOf("\"callbackUrl\"");
        if (key < 0) {
            return null;
        }
        int start = text.indexOf('"', text.indexOf(':', key) + 1);
        int end = start < 0 ? -1 : text.indexOf('"', start + 1);
        return end < 0 ? null : text.substring(start + 1, end);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

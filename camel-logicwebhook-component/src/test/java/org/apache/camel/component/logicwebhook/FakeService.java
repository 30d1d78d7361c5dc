package org.apache.camel.component.logicwebhook;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake of the remote service in the tests: an HTTP server on loopback that records every request it gets, answers
 * what a test tells it per path, and can call back the URLs it was given. Public, and shipped in this module's test jar,
 * for the Spring Boot tests.
 */
public final class FakeService implements AutoCloseable {

    /** One recorded request. */
    public record Recorded(String method, String path, String query, Map<String, List<String>> headers, String body) {

        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** What the fake answers. */
    public record Answer(int status, String body, Map<String, String> headers) {
        public static Answer of(int status, String body) {
            return new Answer(status, body, Map.of("Content-Type", "application/json"));
        }

        /** What a service answers a request without the credential it requires. */
        public static Answer unauthorized() {
            return new Answer(401, "{\"error\":\"unauthorized\"}",
                    Map.of("Content-Type", "application/json", "WWW-Authenticate", "Basic realm=\"fake\""));
        }
    }

    private final HttpServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<Recorded> refused = new CopyOnWriteArrayList<>();
    private final Map<String, Function<Recorded, Answer>> handlers = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FakeService() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        // a fixed pool: tests that count the JVM's threads must not see the fake grow
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers requests whose "METHOD /path" starts with {@code key}. */
    public void on(String key, Function<Recorded, Answer> handler) {
        handlers.put(key, handler);
    }

    /**
     * Answers requests whose "METHOD /path" starts with {@code key} with {@code handler} when their Authorization header
     * passes {@code accepts}; refuses the others with 401, and lists them in {@link #refused()}.
     */
    public void requireAuthorization(String key, Predicate<String> accepts, Function<Recorded, Answer> handler) {
        on(key, r -> {
            if (accepts.test(r.header("Authorization"))) {
                return handler.apply(r);
            }
            refused.add(r);
            return Answer.unauthorized();
        });
    }

    /** The requests that {@link #requireAuthorization} refused. */
    public List<Recorded> refused() {
        return refused;
    }

    public List<Recorded> requests() {
        return requests;
    }

    public List<Recorded> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix))
                .collect(Collectors.toList());
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Headers h = exchange.getRequestHeaders();
        Recorded recorded = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(), Map.copyOf(h), body);
        requests.add(recorded);
        String key = recorded.method() + " " + recorded.path();
        Answer answer = handlers.entrySet().stream().filter(e -> key.startsWith(e.getKey()))
                .max(Map.Entry.comparingByKey((a, b) -> a.length() - b.length()))
                .map(e -> e.getValue().apply(recorded))
                .orElse(Answer.of(200, "{}"));
        byte[] bytes = answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Calls a callback URL the way a service does. */
    public HttpResponse<String> post(String url, String body, String... headers) throws Exception {
        return send("POST", url, body, headers);
    }

    public HttpResponse<String> send(String method, String url, String body, String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}

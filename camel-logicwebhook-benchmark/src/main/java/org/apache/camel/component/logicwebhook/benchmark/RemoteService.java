package org.apache.camel.component.logicwebhook.benchmark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The fake remote service of the external benchmark, in a JVM of its own (so that its CPU is not in the figures of the
 * application under test): a Vert.x HTTP server and client on loopback that keep nothing per request but counters.
 * <ul>
 * <li>{@code POST /subscriptions}: a trigger subscribes; its callback URL is kept per application port,
 * {@code 201 {"id":"sub-1"}}; {@code GET /trigger-url?port=P} gives it back.</li>
 * <li>{@code POST /jobs}: an action subscribes (the component, or the hand-made baseline: both send
 * {@code {"callbackUrl": …}}); {@code 201 {"id":"N"}}, then, once that answer is written, the service calls the
 * callback URL with the 256-byte payload and counts the answer (200 expected).</li>
 * <li>{@code POST /jobs/via/PORT}: the same, but the callback goes to that port (another node).</li>
 * <li>{@code POST /hold}: an action subscribes to a job that never ends, {@code 201 {"id":"N"}}.</li>
 * <li>{@code DELETE /...}: an unsubscribe, {@code 204}.</li>
 * <li>{@code GET /stats}: the counters, as JSON.</li>
 * </ul>
 * Prints {@code REMOTE_SERVICE_READY <port>} when it listens. Usage: {@code java ... RemoteService [port]}.
 */
public final class RemoteService {

    private static final LongAdder SUBSCRIBES = new LongAdder();
    private static final LongAdder UNSUBSCRIBES = new LongAdder();
    /** When the last unsubscribe came (epoch ms). */
    private static final AtomicLong LAST_UNSUBSCRIBE_AT = new AtomicLong();
    private static final LongAdder CALLBACKS_SENT = new LongAdder();
    private static final LongAdder CALLBACKS_OK = new LongAdder();
    private static final LongAdder CALLBACK_ERRORS = new LongAdder();
    private static final Map<Integer, LongAdder> CALLBACK_STATUSES = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    /** application port → the trigger's signed callback URL */
    private static final Map<String, String> TRIGGER_URLS = new ConcurrentHashMap<>();

    private RemoteService() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : freePort();
        byte[] payload = Benchmark.payload(256);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try {
            // two instances on the same port: Vert.x spreads the connections over both event loops
            vertx.deployVerticle(() -> new Service(payload, port), new DeploymentOptions().setInstances(2))
                    .toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("REMOTE_SERVICE_READY " + port);
        System.out.flush();
        Thread.currentThread().join();
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static final class Service extends AbstractVerticle {
        private final byte[] payload;
        private final int port;
        private HttpClient client;

        Service(byte[] payload, int port) {
            this.payload = payload;
            this.port = port;
        }

        @Override
        public void start(io.vertx.core.Promise<Void> started) {
            client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                    .setConnectTimeout(10_000).setIdleTimeout(60), new PoolOptions().setHttp1MaxSize(256));
            vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setAcceptBacklog(4096))
                    .requestHandler(this::handle)
                    .listen(port, "127.0.0.1")
                    .onSuccess(server -> started.complete())
                    .onFailure(started::fail);
        }

        private void handle(HttpServerRequest request) {
            String path = request.path();
            if (request.method() == HttpMethod.GET) {
                if ("/stats".equals(path)) {
                    request.response().putHeader("Content-Type", "application/json").end(stats());
                } else if ("/trigger-url".equals(path)) {
                    String url = TRIGGER_URLS.get(String.valueOf(request.getParam("port")));
                    request.response().setStatusCode(url == null ? 404 : 200).end(url == null ? "" : url);
                } else {
                    request.response().setStatusCode(404).end();
                }
                return;
            }
            if (request.method() == HttpMethod.DELETE) {
                UNSUBSCRIBES.increment();
                LAST_UNSUBSCRIBE_AT.accumulateAndGet(System.currentTimeMillis(), Math::max);
                request.body().onComplete(ignored -> request.response().setStatusCode(204).end());
                return;
            }
            if (request.method() != HttpMethod.POST) {
                request.response().setStatusCode(405).end();
                return;
            }
            request.body().onSuccess(body -> {
                String callbackUrl = FakeService.callbackUrl(body.getBytes());
                if (callbackUrl == null) {
                    request.response().setStatusCode(400).end("no callbackUrl");
                    return;
                }
                SUBSCRIBES.increment();
                if (path.startsWith("/subscriptions")) {
                    TRIGGER_URLS.put(portOf(callbackUrl), callbackUrl);
                    request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                            .end("{\"id\":\"sub-1\"}");
                } else if (path.startsWith("/jobs")) {
                    // /jobs/via/PORT: the callback goes to that port of the same host (another node of a cluster)
                    String target = path.startsWith("/jobs/via/")
                            ? withPort(callbackUrl, path.substring("/jobs/via/".length())) : callbackUrl;
                    request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                            .end("{\"id\":\"" + IDS.incrementAndGet() + "\"}")
                            // the job is done: call back once the subscribe was answered, as a real service would
                            .onComplete(written -> callBack(target));
                } else if (path.startsWith("/hold")) {
                    // a job that never ends: the wait is left to its timeout
                    request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                            .end("{\"id\":\"" + IDS.incrementAndGet() + "\"}");
                } else {
                    request.response().setStatusCode(404).end();
                }
            }).onFailure(e -> request.response().setStatusCode(400).end());
        }

        private void callBack(String url) {
            CALLBACKS_SENT.increment();
            client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                    .putHeader("Content-Type", "application/json").setTimeout(120_000)
                    // when it was sent, on the machine's monotonic clock: the durability benchmark's resume latency
                    .putHeader("X-Sent-Nanos", Long.toString(System.nanoTime())))
                    .compose(request -> request.send(Buffer.buffer(payload)))
                    .compose(response -> response.body().map(ignored -> response.statusCode()))
                    .onComplete(result -> {
                        if (result.succeeded()) {
                            CALLBACK_STATUSES.computeIfAbsent(result.result(), s -> new LongAdder()).increment();
                            if (result.result() == 200) {
                                CALLBACKS_OK.increment();
                                return;
                            }
                        } else {
                            CALLBACK_STATUSES.computeIfAbsent(-1, s -> new LongAdder()).increment();
                        }
                        CALLBACK_ERRORS.increment();
                    });
        }
    }

    private static String withPort(String url, String port) {
        int hostStart = url.indexOf("://") + 3;
        int colon = url.indexOf(':', hostStart);
        int slash = url.indexOf('/', hostStart);
        return url.substring(0, colon < 0 || colon > slash ? slash : colon) + ":" + port + url.substring(slash);
    }

    private static String portOf(String url) {
        int hostStart = url.indexOf("://") + 3;
        int colon = url.indexOf(':', hostStart);
        int slash = url.indexOf('/', hostStart);
        return colon < 0 || colon > slash ? "80" : url.substring(colon + 1, slash);
    }

    private static String stats() {
        StringBuilder statuses = new StringBuilder("{");
        CALLBACK_STATUSES.forEach((status, count) -> {
            if (statuses.length() > 1) {
                statuses.append(',');
            }
            statuses.append('"').append(status).append("\":").append(count.sum());
        });
        statuses.append('}');
        return "{\"subscribes\":" + SUBSCRIBES.sum() + ",\"unsubscribes\":" + UNSUBSCRIBES.sum()
               + ",\"lastUnsubscribeAt\":" + LAST_UNSUBSCRIBE_AT.get() + ",\"callbacksSent\":"
               + CALLBACKS_SENT.sum() + ",\"callbacksOk\":" + CALLBACKS_OK.sum() + ",\"callbackErrors\":"
               + CALLBACK_ERRORS.sum() + ",\"callbackStatuses\":" + statuses + "}";
    }
}

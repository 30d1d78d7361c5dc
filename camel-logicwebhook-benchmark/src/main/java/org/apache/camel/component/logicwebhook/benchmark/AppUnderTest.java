package org.apache.camel.component.logicwebhook.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.apache.camel.component.logicwebhook.store.EmbeddedH2;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.Main;
import org.apache.camel.support.DefaultExchange;

/**
 * The application under test of the external benchmark, in a JVM of its own: Camel Main with camel-platform-http-main
 * (Vert.x, default settings: 20 workers), the logicwebhook component, and beside each logicwebhook route the route a
 * user would write by hand for the same work. Load comes from {@code wrk} in another process.
 * <ul>
 * <li>Trigger: {@code logicwebhook:bench-trigger} (subscribed with the remote service at start; its signed URL is
 * there, at {@code GET /trigger-url?port=P}) against {@code platform-http:/baseline/trigger}. Both convert the body to a
 * String and count it; the bare route answers 202 with no echoed header, as the trigger does.</li>
 * <li>Action, behind {@code platform-http:/start}: {@code .to("logicwebhook:job?subscribeUri=…/jobs")}, default
 * settings but for {@code timeout=PT30S}.</li>
 * <li>The same two hops by hand, behind {@code platform-http:/handmade/start}: a future in a map, a camel-http POST
 * of {@code {"callbackUrl": …/handmade/callback/ID}} to the same {@code /jobs}, then a blocking wait (30 s) for a
 * second platform-http route, {@code /handmade/callback/{id}}, to complete it. Both routes run on Vert.x's workers.</li>
 * <li>The same by hand, but with the callback served on the event loop ({@code /handmade-el/start}, its callbacks on a
 * Vert.x route of the platform-http router, as the component serves its own).</li>
 * <li>{@code GET /bench/status} (on the event loop): exchanges in flight, pending waits, hand-made waits, work done.</li>
 * </ul>
 * System properties: {@code app.port}, {@code app.service} (the remote service's URL), {@code app.store}
 * ({@code memory}; {@code h2}: waitStoreUrl=jdbc:h2:file:{@code app.dir}/waits; {@code postgres}: an embedded server
 * started here, as the component's tests start it, behind a HikariCP pool of 10, as waitStoreDataSource;
 * {@code postgres-durable}: the same with fsync and synchronous_commit on; {@code postgres-shared}: the server at
 * {@code app.jdbcUrl}, which other nodes use too), {@code app.keepDir}
 * (false: the H2 directory is emptied at start), {@code app.timeoutMillis} (30000), {@code app.holdTimeoutMillis}
 * (10000: the waits of {@link Durability}'s hold route). Prints {@code APP_READY <port> store=… startedAt=<epoch ms>
 * [pgport=…]} when it serves.
 */
public final class AppUnderTest {

    static final String SIGNING_KEY = Harness.SIGNING_KEY;

    private static final LongAdder TRIGGER_WORK = new LongAdder();
    private static final LongAdder BASELINE_WORK = new LongAdder();
    private static final Map<String, CompletableFuture<byte[]>> HANDMADE = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();

    private AppUnderTest() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("app.port", 8080);
        String service = System.getProperty("app.service", "http://127.0.0.1:9090");
        String store = System.getProperty("app.store", "memory");
        long timeoutMillis = Long.getLong("app.timeoutMillis", 30_000);
        String base = "http://127.0.0.1:" + port;

        Main main = new Main();
        main.addInitialProperty("camel.main.name", "logicwebhook-bench-" + store);
        // a benchmark restarts an application that locked up: do not wait the default 45 s for its exchanges
        main.addInitialProperty("camel.main.shutdownTimeout", "5");
        main.addInitialProperty("camel.server.enabled", "true");
        main.addInitialProperty("camel.server.host", "127.0.0.1");
        main.addInitialProperty("camel.server.port", String.valueOf(port));
        main.addInitialProperty("camel.component.logicwebhook.signingKey", SIGNING_KEY);
        main.addInitialProperty("camel.component.logicwebhook.callbackBaseUrl", base);
        EmbeddedPostgres[] postgres = new EmbeddedPostgres[1];
        HikariDataSource[] pool = new HikariDataSource[1];
        DataSource[] storeData = new DataSource[1];
        switch (store) {
            case "memory" -> {
            }
            case "h2" -> {
                Path dir = Paths.get(System.getProperty("app.dir", "target/app-h2"));
                if (!Boolean.getBoolean("app.keepDir")) {
                    deleteTree(dir);
                }
                Files.createDirectories(dir);
                String url = "jdbc:h2:file:" + dir.resolve("waits").toAbsolutePath();
                main.addInitialProperty("camel.component.logicwebhook.waitStoreUrl", url);
                // the same database, for the recovery benchmark's count of what is stored
                storeData[0] = EmbeddedH2.dataSource(url);
            }
            case "postgres", "postgres-durable" -> {
                postgres[0] = startPostgres(store.equals("postgres-durable"));
                pool[0] = postgresPool(postgres[0].getJdbcUrl("postgres", "postgres"));
                main.bind("benchWaitStore", pool[0]);
                main.addInitialProperty("camel.component.logicwebhook.waitStoreDataSource", "#benchWaitStore");
            }
            case "postgres-shared" -> {
                // a server that the benchmark started, shared by the nodes of the cross-node benchmark
                pool[0] = postgresPool(System.getProperty("app.jdbcUrl"));
                storeData[0] = pool[0];
                main.bind("benchWaitStore", pool[0]);
                main.addInitialProperty("camel.component.logicwebhook.waitStoreDataSource", "#benchWaitStore");
            }
            default -> throw new IllegalArgumentException("app.store takes memory, h2, postgres,"
                                                          + " postgres-durable or postgres-shared, not "
                                                          + store);
        }
        // Camel Main adds the event notifiers of its registry to the context
        main.bind("benchStartedAt", Durability.startedNotifier());
        Producer[] http = new Producer[1];
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                // the route's own work, the same in both trigger routes: the body as a String, counted
                Processor count = exchange -> {
                    if (!exchange.getMessage().getBody(String.class).isEmpty()) {
                        TRIGGER_WORK.increment();
                    }
                };
                from("logicwebhook:bench-trigger?subscribeUri=" + service + "/subscriptions"
                     + "&unsubscribeUri=" + service + "/subscriptions/${variable.subscription[id]}")
                        .routeId("trigger-logicwebhook")
                        .convertBodyTo(String.class)
                        .process(count);
                from("platform-http:/baseline/trigger?httpMethodRestrict=POST&muteException=true")
                        .routeId("trigger-baseline")
                        .convertBodyTo(String.class)
                        .process(exchange -> {
                            if (!exchange.getMessage().getBody(String.class).isEmpty()) {
                                BASELINE_WORK.increment();
                            }
                        })
                        .process(AppUnderTest::accepted);

                from("platform-http:/start?httpMethodRestrict=POST&muteException=true")
                        .routeId("action-logicwebhook")
                        .convertBodyTo(String.class)
                        .to("logicwebhook:job?subscribeUri=" + service + "/jobs&timeout=" + timeoutMillis)
                        .convertBodyTo(String.class);

                from("platform-http:/handmade/start?httpMethodRestrict=POST&muteException=true")
                        .routeId("action-handmade")
                        .convertBodyTo(String.class)
                        .process(exchange -> handmade(exchange, http[0], service, base + "/handmade/callback/",
                                timeoutMillis));
                from("platform-http:/handmade/callback/{id}?httpMethodRestrict=POST&muteException=true")
                        .routeId("action-handmade-callback")
                        .process(exchange -> {
                            Message message = exchange.getMessage();
                            CompletableFuture<byte[]> done = HANDMADE.remove(message.getHeader("id", String.class));
                            byte[] body = message.getBody(byte[].class);
                            message.getHeaders().clear();
                            message.setHeader(Exchange.HTTP_RESPONSE_CODE, done == null ? 404 : 200);
                            message.setBody(null);
                            if (done != null) {
                                done.complete(body);
                            }
                        });

                Durability.routes(this, service, Long.getLong("app.holdTimeoutMillis", 10_000), timeoutMillis);

                from("platform-http:/handmade-el/start?httpMethodRestrict=POST&muteException=true")
                        .routeId("action-handmade-eventloop")
                        .convertBodyTo(String.class)
                        .process(exchange -> handmade(exchange, http[0], service, base + "/handmade-el/callback/",
                                timeoutMillis));
            }
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                main.stop();
            } finally {
                if (storeData[0] != null && storeData[0] != pool[0]) {
                    EmbeddedH2.close(storeData[0]);
                }
                if (pool[0] != null) {
                    pool[0].close();
                }
                if (postgres[0] != null) {
                    try {
                        postgres[0].close();
                    } catch (IOException e) {
                        // exiting
                    }
                }
                stopped.countDown();
            }
        }, "app-shutdown"));
        main.start();
        CamelContext context = main.getCamelContext();
        http[0] = ActionScenario.httpProducer(context);
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            router = context.getRegistry().findByType(VertxPlatformHttpRouter.class).iterator().next();
        }
        LogicWebhookComponent component = context.getComponent("logicwebhook", LogicWebhookComponent.class);
        // on the event loop, never behind the workers: the benchmark asks while a baseline may hold them all
        router.route(HttpMethod.GET, "/bench/status").order(-2).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end("{\"inflight\":" + context.getInflightRepository().size() + ",\"pendingWaits\":"
                     + component.getPendingWaits() + ",\"handmadePending\":" + HANDMADE.size() + ",\"triggerWork\":"
                     + TRIGGER_WORK.sum() + ",\"baselineWork\":" + BASELINE_WORK.sum() + "}"));
        router.route(HttpMethod.POST, "/handmade-el/callback/:id").order(-2).handler(AppUnderTest::eventLoopCallback);
        Durability.endpoints(router, context, storeData[0], http[0], service);
        System.out.println("APP_READY " + port + " store=" + store + " startedAt=" + Durability.startedAt()
                           + (postgres[0] != null ? " pgport=" + postgres[0].getPort() : ""));
        System.out.flush();
        stopped.await();
    }

    /** The two hops by hand: subscribe with a callback URL of one's own, then wait for it, holding the thread. */
    private static void handmade(Exchange exchange, Producer http, String service, String callbackBase,
                                 long timeoutMillis) throws Exception {
        String id = Long.toString(IDS.incrementAndGet());
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        HANDMADE.put(id, done);
        try {
            Exchange out = new DefaultExchange(exchange.getContext(), ExchangePattern.InOut);
            Message request = out.getIn();
            request.setHeader(Exchange.HTTP_METHOD, "POST");
            request.setHeader(Exchange.HTTP_URI, service + "/jobs");
            request.setHeader(Exchange.CONTENT_TYPE, "application/json");
            request.setBody("{\"callbackUrl\":\"" + callbackBase + id + "\"}");
            http.process(out);
            int status = out.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
            if (out.getException() != null || status < 200 || status > 299) {
                throw new IllegalStateException("subscribe answered " + status, out.getException());
            }
            exchange.getMessage().setBody(new String(done.get(timeoutMillis, TimeUnit.MILLISECONDS),
                    java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            HANDMADE.remove(id);
        }
    }

    /** The hand-made callback on the event loop: read the body as it comes, complete the future, answer 200. */
    private static void eventLoopCallback(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        ctx.request().body().onSuccess((Buffer body) -> {
            CompletableFuture<byte[]> done = HANDMADE.remove(id);
            ctx.response().setStatusCode(done == null ? 404 : 200).end();
            if (done != null) {
                done.complete(body.getBytes());
            }
        }).onFailure(e -> ctx.response().setStatusCode(400).end());
    }

    private static void accepted(Exchange exchange) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        message.setBody(null);
    }

    /**
     * An embedded PostgreSQL as the component's tests start it: io.zonky's defaults run it with fsync off ({@code -F})
     * and {@code synchronous_commit=off}; {@code durable} turns both on, as a production server has them.
     */
    static EmbeddedPostgres startPostgres(boolean durable) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (durable) {
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        }
        return builder.start();
    }

    /** The pool the component's PostgreSQL tests use (TestDatabases): HikariCP, 10 connections. */
    static HikariDataSource postgresPool(String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(10);
        return new HikariDataSource(config);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

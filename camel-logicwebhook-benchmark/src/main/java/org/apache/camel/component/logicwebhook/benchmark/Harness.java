package org.apache.camel.component.logicwebhook.benchmark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * One Camel context as an application runs it: a Vert.x platform-http server on a free loopback port, the logicwebhook
 * component, and the fake remote service. Every scenario gets its own.
 */
final class Harness implements AutoCloseable {

    static final String SIGNING_KEY = "benchmark-signing-key-0123456789abcdef";

    final int port;
    final CamelContext context;
    final LogicWebhookComponent component;
    final FakeService service;
    /** The one HTTP client of the benchmark: the load on the callbacks and the fake service's callbacks. */
    final HttpClient client;
    private final ExecutorService clientExecutor;

    Harness(byte[] payload) throws Exception {
        port = freePort();
        clientExecutor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "jdk-http-client");
            t.setDaemon(true);
            return t;
        });
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .executor(clientExecutor).build();
        service = new FakeService(client, payload, 8);
        context = new DefaultCamelContext();
        VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
        configuration.setBindHost("127.0.0.1");
        configuration.setBindPort(port);
        context.addService(new VertxPlatformHttpServer(configuration));
        component = new LogicWebhookComponent();
        component.setSigningKey(SIGNING_KEY);
        component.getConfiguration().setCallbackBaseUrl(baseUrl());
        context.addComponent("logicwebhook", component);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Harness routes(RouteBuilder builder) throws Exception {
        context.addRoutes(builder);
        return this;
    }

    Harness start() {
        context.start();
        return this;
    }

    @Override
    public void close() {
        try {
            context.stop();
        } finally {
            service.close();
            clientExecutor.shutdownNow();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

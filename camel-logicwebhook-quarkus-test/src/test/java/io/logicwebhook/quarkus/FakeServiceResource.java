package io.logicwebhook.quarkus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.camel.component.logicwebhook.FakeService;

/**
 * Starts the fake remote service before the Quarkus application (the trigger subscribes while the application starts),
 * and chooses a free HTTP port for the application, so that the callback base URL is known before it starts. Tests get
 * the service in a field of type {@link FakeService}.
 */
public class FakeServiceResource implements QuarkusTestResourceLifecycleManager {

    private final AtomicInteger jobIds = new AtomicInteger();
    private FakeService service;

    @Override
    public Map<String, String> start() {
        try {
            service = new FakeService();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"sub-1\"}"));
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-" + jobIds.incrementAndGet() + "\"}"));
        int port = freePort();
        return Map.of(
                "fake.url", service.url(),
                "quarkus.http.test-port", String.valueOf(port),
                "camel.component.logicwebhook.callbackBaseUrl", "http://localhost:" + port);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(service, new TestInjector.MatchesType(FakeService.class));
    }

    @Override
    public void stop() {
        if (service != null) {
            service.close();
        }
    }
}

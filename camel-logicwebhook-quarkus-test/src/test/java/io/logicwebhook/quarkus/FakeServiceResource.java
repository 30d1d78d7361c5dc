package io.logicwebhook.quarkus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.camel.component.logicwebhook.FakeService;
import org.jboss.logging.Logger;

/**
 * Starts the fake remote service before the Quarkus application (the trigger subscribes while the application starts),
 * and chooses a free HTTP port for the application, so that the callback base URL is known before it starts. Tests get
 * the service in a field of type {@link FakeService}.
 */
public class FakeServiceResource implements QuarkusTestResourceLifecycleManager {

    /**
     * Init argument: when "true", the service calls the callback URL from inside its subscribe handler, before it
     * answers, as Microsoft Graph's validation does.
     */
    public static final String CALL_BACK_WHILE_SUBSCRIBING = "callBackWhileSubscribing";
    /** The body of that early callback. */
    public static final String EARLY_CALLBACK_BODY = "{\"early\":true}";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(FakeServiceResource.class);

    private final AtomicInteger jobIds = new AtomicInteger();
    private boolean callBackWhileSubscribing;
    private FakeService service;

    @Override
    public void init(Map<String, String> initArgs) {
        callBackWhileSubscribing = Boolean.parseBoolean(initArgs.get(CALL_BACK_WHILE_SUBSCRIBING));
    }

    @Override
    public Map<String, String> start() {
        try {
            service = new FakeService();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        service.on("POST /subscriptions", r -> {
            if (callBackWhileSubscribing) {
                callBack(r);
            }
            return FakeService.Answer.of(201, "{\"id\":\"sub-1\"}");
        });
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-" + jobIds.incrementAndGet() + "\"}"));
        int port = freePort();
        return Map.of(
                "fake.url", service.url(),
                "quarkus.http.test-port", String.valueOf(port),
                "camel.component.logicwebhook.callbackBaseUrl", "http://localhost:" + port);
    }

    /** A refused connection is not an error here: the test sees that the callback never reached its route. */
    private void callBack(FakeService.Recorded subscribe) {
        try {
            String callbackUrl = JSON.readTree(subscribe.body()).path("callbackUrl").asText();
            service.post(callbackUrl, EARLY_CALLBACK_BODY, "Content-Type", "application/json");
        } catch (Exception e) {
            LOG.warnf("The callback sent while subscribing failed: %s", e);
        }
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

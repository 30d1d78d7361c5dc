package io.logicwebhook.springboot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.component.logicwebhook.FakeService;

import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.JSON;

/**
 * The remote service of the relay action, as a real one behaves: it answers each subscribe, and calls the callback URL
 * it was given back, from another thread, with {@code callback-for-} and the request the subscribe carried.
 */
final class CallingBackService {

    static final String PREFIX = "callback-for-";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<CompletableFuture<HttpResponse<String>>> callbacks = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** Answers {@code POST /relay} on the fake service, and calls back. */
    static CallingBackService on(FakeService service) {
        CallingBackService callingBack = new CallingBackService();
        service.on("POST /relay", callingBack::subscribe);
        return callingBack;
    }

    private FakeService.Answer subscribe(FakeService.Recorded subscribe) {
        JsonNode body;
        try {
            body = JSON.readTree(subscribe.body());
        } catch (IOException e) {
            return FakeService.Answer.of(400, "{}");
        }
        HttpRequest callback = HttpRequest.newBuilder(URI.create(body.path("callbackUrl").asText()))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(PREFIX + body.path("request").asText())).build();
        // sent by the client's own threads, while this one answers the subscribe
        callbacks.add(client.sendAsync(callback, HttpResponse.BodyHandlers.ofString()));
        return FakeService.Answer.of(201, "{\"id\":\"relay-" + ids.incrementAndGet() + "\"}");
    }

    /** The answers the callbacks got (or will get). */
    List<CompletableFuture<HttpResponse<String>>> callbacks() {
        return callbacks;
    }
}

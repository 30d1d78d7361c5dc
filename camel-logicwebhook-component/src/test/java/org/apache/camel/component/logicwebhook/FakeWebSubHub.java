package org.apache.camel.component.logicwebhook;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * A WebSub hub on the fake service: it answers a form-encoded subscribe or unsubscribe request 202, then verifies the
 * subscriber's intent as W3C WebSub §5.3 describes (a GET on the callback URL with hub.mode, hub.topic, hub.challenge
 * and, for a subscribe, hub.lease_seconds) and records what the subscriber answered.
 */
final class FakeWebSubHub implements AutoCloseable {

    /** One verification the hub made, with the subscriber's answer. */
    record Verification(String mode, String challenge, int status, String body, String contentType) {
    }

    private final FakeService service;
    private final String path;
    private final long leaseSeconds;
    private final List<Verification> verifications = new CopyOnWriteArrayList<>();
    private final ExecutorService verifier = Executors.newSingleThreadExecutor();

    FakeWebSubHub(FakeService service, String path, long leaseSeconds) {
        this.service = service;
        this.path = path;
        this.leaseSeconds = leaseSeconds;
        service.on("POST " + path, this::onRequest);
    }

    String url() {
        return service.url() + path;
    }

    List<Verification> verifications() {
        return verifications;
    }

    private FakeService.Answer onRequest(FakeService.Recorded request) {
        Map<String, String> form = parseForm(request.body());
        try {
            // the hub answers at once and verifies afterwards, as WebSub hubs do
            verifier.execute(() -> verify(form));
        } catch (RejectedExecutionException e) {
            // the test is over: the unsubscribe of the stopping context is answered, not verified
        }
        return new FakeService.Answer(202, null, Map.of());
    }

    private void verify(Map<String, String> form) {
        String mode = form.get("hub.mode");
        String challenge = UUID.randomUUID() + " & more";
        String url = form.get("hub.callback") + "&hub.mode=" + encode(mode) + "&hub.topic=" + encode(form.get("hub.topic"))
                     + "&hub.challenge=" + encode(challenge)
                     + ("subscribe".equals(mode) ? "&hub.lease_seconds=" + leaseSeconds : "");
        try {
            HttpResponse<String> answer = service.send("GET", url, null);
            verifications.add(new Verification(mode, challenge, answer.statusCode(), answer.body(),
                    answer.headers().firstValue("Content-Type").orElse(null)));
        } catch (Exception e) {
            verifications.add(new Verification(mode, challenge, -1, e.toString(), null));
        }
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        verifier.shutdownNow();
    }
}

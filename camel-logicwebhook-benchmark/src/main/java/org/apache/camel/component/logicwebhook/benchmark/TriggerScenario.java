package org.apache.camel.component.logicwebhook.benchmark;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * 1. Trigger throughput: callbacks per second through a {@code logicwebhook:} trigger, against a bare
 * {@code platform-http} route doing the same work, on the same server, with the same client and payload.
 */
final class TriggerScenario {

    private TriggerScenario() {
    }

    static Map<String, Object> run(Settings settings, byte[] payload) throws Exception {
        LongAdder work = new LongAdder();
        // the route's own work, the same in both: read the body, count it
        Processor routeWork = exchange -> {
            byte[] body = exchange.getMessage().getBody(byte[].class);
            if (body != null && body.length > 0) {
                work.increment();
            }
        };
        try (Harness harness = new Harness(payload)) {
            String service = harness.service.url();
            harness.routes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("logicwebhook:bench-trigger?subscribeUri=" + service + "/subscriptions"
                         + "&unsubscribeUri=" + service + "/subscriptions/${variable.subscription[id]}")
                            .routeId("trigger-logicwebhook")
                            .process(routeWork);
                    // what a user writes by hand for a callback: the path, the work, a 202 and no echoed header
                    from("platform-http:/baseline/trigger?httpMethodRestrict=POST&muteException=true")
                            .routeId("trigger-baseline")
                            .process(routeWork)
                            .process(TriggerScenario::accepted);
                }
            }).start();
            String subjectUrl = harness.service.triggerCallbackUrl;
            if (subjectUrl == null) {
                throw new IllegalStateException("the trigger did not subscribe");
            }
            HttpRequest subject = request(subjectUrl, payload);
            HttpRequest baseline = request(harness.baseUrl() + "/baseline/trigger", payload);
            Benchmark.log("1. trigger: %d threads, %d-byte JSON payload", settings.concurrency(), payload.length);
            Map<String, Object> result;
            try (Profiler profiler = Profiler.start("trigger")) {
                result = SideBySide.run("trigger", settings, settings.concurrency(),
                        (t, i) -> harness.client.send(baseline, HttpResponse.BodyHandlers.discarding())
                                .statusCode() == 202,
                        (t, i) -> harness.client.send(subject, HttpResponse.BodyHandlers.discarding())
                                .statusCode() == 202);
            }
            result.put("goal", 0.90);
            result.put("goalMet", (double) result.get("throughputRatio") >= 0.90);
            result.put("routeWorkDone", work.sum());
            return result;
        }
    }

    private static void accepted(Exchange exchange) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        message.setBody(null);
    }

    static HttpRequest request(String url, byte[] payload) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
    }
}

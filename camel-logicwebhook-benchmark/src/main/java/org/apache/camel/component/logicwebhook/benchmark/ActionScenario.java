package org.apache.camel.component.logicwebhook.benchmark;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.hc.core5.util.Timeout;

/**
 * 2. Action round trip: subscribe, the service calls back, the exchange resumes; against the same two HTTP hops done
 * by hand in a route (the same camel-http client out, the same platform-http server in, a map of futures between).
 */
final class ActionScenario {

    private ActionScenario() {
    }

    static Map<String, Object> run(Settings settings, byte[] payload) throws Exception {
        Map<String, CompletableFuture<byte[]>> handmade = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        try (Harness harness = new Harness(payload)) {
            String service = harness.service.url();
            String callbackBase = harness.baseUrl() + "/handmade/";
            Producer[] http = new Producer[1];
            harness.routes(new RouteBuilder() {
                @Override
                public void configure() {
                    // the subject: exactly two hops (no unsubscribeUri, so no unsubscribe after the callback)
                    from("direct:logicwebhook").routeId("action-logicwebhook")
                            .to("logicwebhook:bench-action?subscribeUri=" + service + "/jobs");
                    // the same with an unsubscribe after each callback: a third hop, on the component's workers
                    from("direct:logicwebhook-unsubscribe").routeId("action-logicwebhook-unsubscribe")
                            .to("logicwebhook:bench-action-unsub?subscribeUri=" + service + "/jobs"
                                + "&unsubscribeUri=" + service + "/jobs/${variable.subscription[id]}");

                    // the baseline: one request out, one request in, by hand
                    from("direct:baseline").routeId("action-baseline").process(exchange -> {
                        String id = Long.toString(ids.incrementAndGet());
                        CompletableFuture<byte[]> done = new CompletableFuture<>();
                        handmade.put(id, done);
                        Exchange out = new DefaultExchange(exchange.getContext(), ExchangePattern.InOut);
                        Message request = out.getIn();
                        request.setHeader(Exchange.HTTP_METHOD, "POST");
                        request.setHeader(Exchange.HTTP_URI, service + "/jobs");
                        request.setHeader(Exchange.CONTENT_TYPE, "application/json");
                        request.setBody("{\"callbackUrl\":\"" + callbackBase + id + "\"}");
                        http[0].process(out);
                        int status = out.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
                        if (out.getException() != null || status < 200 || status > 299) {
                            handmade.remove(id);
                            throw new IllegalStateException("subscribe answered " + status, out.getException());
                        }
                        exchange.getMessage().setBody(done.get(30, TimeUnit.SECONDS));
                    });
                    from("platform-http:/handmade/{id}?httpMethodRestrict=POST&muteException=true")
                            .routeId("action-baseline-callback")
                            .process(exchange -> {
                                Message message = exchange.getMessage();
                                CompletableFuture<byte[]> done = handmade.remove(message.getHeader("id", String.class));
                                byte[] body = message.getBody(byte[].class);
                                message.getHeaders().clear();
                                message.setHeader(Exchange.HTTP_RESPONSE_CODE, done == null ? 404 : 200);
                                message.setBody(null);
                                if (done != null) {
                                    done.complete(body);
                                }
                            });
                }
            }).start();
            http[0] = httpProducer(harness.context);
            ProducerTemplate template = harness.context.createProducerTemplate();
            String expected = new String(payload, StandardCharsets.UTF_8);
            ClosedLoop.Operation baseline = (t, i) -> roundTrip(template, "direct:baseline", expected);
            ClosedLoop.Operation subject = (t, i) -> roundTrip(template, "direct:logicwebhook", expected);
            ClosedLoop.Operation subjectUnsubscribe
                    = (t, i) -> roundTrip(template, "direct:logicwebhook-unsubscribe", expected);

            Map<String, Object> result = new LinkedHashMap<>();
            Benchmark.log("2. action round trip: %d threads", settings.concurrency());
            Map<String, Object> loaded;
            try (Profiler profiler = Profiler.start("action")) {
                loaded = SideBySide.run("action", settings, settings.concurrency(), baseline, subject);
            }
            loaded.put("goal", 0.80);
            loaded.put("goalMet", (double) loaded.get("throughputRatio") >= 0.80);
            result.put("twoHops", loaded);
            Benchmark.log("2. action round trip: 1 thread (latency without queueing)");
            result.put("twoHopsOneThread", SideBySide.run("action-1", settings, 1, baseline, subject));
            Benchmark.log("2. action round trip with unsubscribe (three hops against the two-hop floor)");
            long unsubscribesBefore = harness.service.unsubscribes.sum();
            Map<String, Object> unsubscribe
                    = SideBySide.run("action-unsub", settings, settings.concurrency(), baseline, subjectUnsubscribe);
            unsubscribe.put("unsubscribesReceived", harness.service.unsubscribes.sum() - unsubscribesBefore);
            result.put("threeHopsWithUnsubscribe", unsubscribe);
            result.put("callbackErrors", harness.service.callbackErrors.sum());
            template.stop();
            ServiceHelper.stopService(http[0]);
            return result;
        }
    }

    private static boolean roundTrip(ProducerTemplate template, String uri, String expected) {
        Exchange done = template.request(uri, exchange -> exchange.getMessage().setBody(null));
        if (done.getException() != null) {
            throw new IllegalStateException(uri + " failed", done.getException());
        }
        return expected.equals(done.getMessage().getBody(String.class));
    }

    /** A camel-http producer set up as the component's subscription client sets up its own. */
    static Producer httpProducer(CamelContext context) throws Exception {
        Map<String, Object> options = new HashMap<>();
        options.put("throwExceptionOnFailure", false);
        options.put("followRedirects", false);
        Timeout timeout = Timeout.ofSeconds(30);
        options.put("connectTimeout", timeout);
        options.put("responseTimeout", timeout);
        options.put("connectionRequestTimeout", timeout);
        Endpoint endpoint = context.getComponent("http").createEndpoint("http://handmade.invalid", options);
        Producer producer = endpoint.createProducer();
        ServiceHelper.startService(endpoint, producer);
        return producer;
    }
}

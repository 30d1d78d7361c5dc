package org.apache.camel.component.logicwebhook;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Signed payloads over real HTTP, with the published test vectors: Standard Webhooks on a trigger (replays refused;
 * Svix's header names too), X-Hub-Signature-256 on an action (a bad signature resumes nothing).
 */
class LogicWebhookPayloadSignatureTest extends LogicWebhookTestSupport {

    // Standard Webhooks reference libraries' test vector (see PayloadSignatureVerifierTest)
    private static final String SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final String SW_TIMESTAMP = "1614265330";
    private static final String SW_BODY = "{\"test\": 2432232314}";
    private static final String SW_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    // GitHub's documented example
    private static final String HUB_SECRET = "It's a Secret to Everybody";
    private static final String HUB_BODY = "Hello, World!";
    private static final String HUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private final TestClock clock = new TestClock();
    private final java.util.concurrent.atomic.AtomicInteger flakyRuns = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    void configureComponent(LogicWebhookComponent component) {
        clock.advance(Long.parseLong(SW_TIMESTAMP) * 1000 + 30_000 - clock.millis());
        component.setClock(clock);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:signed?subscribeUri=" + service.url() + "/subscriptions"
                     + "&payloadSignature=standard-webhooks&payloadSecret=whsec_b2xkLXNlY3JldC1rZXk=," + SW_SECRET)
                        .to("mock:signed");
                from("logicwebhook:flaky?subscribeUri=" + service.url() + "/subscriptions"
                     + "&payloadSignature=standard-webhooks&payloadSecret=" + SW_SECRET)
                        .process(e -> {
                            if (flakyRuns.incrementAndGet() == 1) {
                                throw new IllegalStateException("the first run fails");
                            }
                        })
                        .to("mock:flaky");
                from("direct:job")
                        .to("logicwebhook:hub?subscribeUri=" + service.url() + "/jobs"
                            + "&payloadSignature=hub-signature-256&payloadSecret=RAW(" + HUB_SECRET + ")");
            }
        };
    }

    /** Svix, Resend and Clerk may name the headers svix-*; the svix library's tests sign this vector under them. */
    @ParameterizedTest
    @ValueSource(strings = { "webhook", "svix" })
    void aTriggerTakesAStandardWebhooksDeliveryOnceAndRefusesForgeries(String names) throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:signed");
        mock.expectedBodiesReceived(SW_BODY);
        String url = callbackUrlOf("signed");
        String[] headers = signed(names);

        assertEquals(401, service.post(url, SW_BODY).statusCode(), "unsigned");
        assertEquals(401, service.post(url, SW_BODY.replace('2', '3'), headers).statusCode(), "tampered body");
        assertEquals(202, service.post(url, SW_BODY, headers).statusCode());
        assertEquals(409, service.post(url, SW_BODY, headers).statusCode(), "a replay");
        assertEquals(409, service.post(url, SW_BODY, signed("svix".equals(names) ? "webhook" : "svix")).statusCode(),
                "a replay under the other names");
        mock.assertIsSatisfied();
    }

    /** The published vector's headers, named {@code webhook-*} (the standard's names) or {@code svix-*}. */
    private static String[] signed(String names) {
        return new String[] {
                names + "-id", SW_ID, names + "-timestamp", SW_TIMESTAMP, names + "-signature", SW_SIGNATURE };
    }

    @Test
    void aDeliveryTheRouteFailedIsTakenWhenTheSenderRetriesIt() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:flaky");
        mock.expectedBodiesReceived(SW_BODY);
        String url = callbackUrlOf("flaky");
        String[] headers = signed("webhook");
        assertEquals(500, service.post(url, SW_BODY, headers).statusCode());
        assertEquals(202, service.post(url, SW_BODY, headers).statusCode(), "the retry is not a replay");
        assertEquals(409, service.post(url, SW_BODY, headers).statusCode(), "once taken, it is");
        mock.assertIsSatisfied();
    }

    @Test
    void anActionResumesOnlyOnAValidHubSignature() throws Exception {
        Future<Exchange> pending = template.asyncSend("direct:job", e -> e.getMessage().setBody("job"));
        String url = json(awaitRequests("POST", "/jobs", 1).get(0).body()).path("callbackUrl").asText();

        assertEquals(401, service.post(url, HUB_BODY, "X-Hub-Signature-256", HUB_SIGNATURE.replace('7', '8'))
                .statusCode());
        assertEquals(401, service.post(url, HUB_BODY).statusCode());
        assertFalse(pending.isDone(), "a forged callback resumed the wait");
        assertEquals(200, service.post(url, HUB_BODY, "X-Hub-Signature-256", HUB_SIGNATURE).statusCode());
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertNull(done.getException());
        assertEquals(HUB_BODY, done.getMessage().getBody(String.class));
    }
}

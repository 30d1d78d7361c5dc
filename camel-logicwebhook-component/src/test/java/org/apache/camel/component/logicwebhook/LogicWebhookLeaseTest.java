package org.apache.camel.component.logicwebhook;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trigger renews its subscription before the lease the service granted ends, replaces a subscription the renewal
 * made anew, retries a failed renewal (showing it in its readiness), and never keeps what a renewal got after a stop.
 */
class LogicWebhookLeaseTest extends LogicWebhookTestSupport {

    private final TestClock clock = new TestClock();
    private final AtomicInteger subscriptions = new AtomicInteger();

    @Override
    void configureComponent(LogicWebhookComponent component) {
        sweepByHand(component, clock);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:feed?subscribeUri=" + service.url() + "/subscriptions"
                     + "&unsubscribeUri=RAW(" + service.url() + "/subscriptions/${variable.subscription[id]})")
                        .routeId("feed").autoStartup(false).to("mock:feed");
                from("logicwebhook:interval?subscribeUri=" + service.url() + "/interval&renewInterval=10m")
                        .routeId("interval").autoStartup(false).to("mock:interval");
                from("logicwebhook:expiring?subscribeUri=" + service.url() + "/expiring&callbackUrlExpiry=1h")
                        .routeId("expiring").autoStartup(false).to("mock:expiring");
            }
        };
    }

    /** Each subscribe gets a new id and a lease of 100 s, as an expirationDateTime (Microsoft Graph's field). */
    private void grantNewSubscriptions() {
        service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"s-" + subscriptions.incrementAndGet()
                                                                         + "\",\"expirationDateTime\":\""
                                                                         + Instant.ofEpochMilli(clock.millis() + 100_000)
                                                                         + "\"}"));
    }

    private void advance(long millis) {
        sweepAfter(clock, millis);
    }

    @Test
    void aRenewalAtEightyPercentOfTheLeaseReplacesTheSubscriptionAndUnsubscribesTheOldOne() throws Exception {
        grantNewSubscriptions();
        context.getRouteController().startRoute("feed");
        assertEquals(clock.millis() + 100_000, trigger("feed").getLeaseExpiresAt());
        assertEquals(1, component().getWaitRegistry().scheduledTasks());

        advance(79_999);
        // a due renewal leaves the queue on the sweep itself: still queued means not sent
        assertEquals(1, component().getWaitRegistry().scheduledTasks(), "not before 80 % of the lease");
        advance(1);
        awaitRequests("POST", "/subscriptions", 2);
        // the renewal made subscription s-2: s-1 would otherwise call back twice as often
        awaitRequests("DELETE", "/subscriptions/s-1", 1);
        await().until(() -> trigger("feed").getLeaseExpiresAt() == clock.millis() + 100_000);
        assertEquals(LogicWebhookConsumer.SubscriptionState.SUBSCRIBED, trigger("feed").getSubscriptionState());

        context.getRouteController().stopRoute("feed");
        assertEquals(1, service.requests("DELETE", "/subscriptions/s-2").size());
        assertEquals(0, component().getWaitRegistry().scheduledTasks(), "no renewal after the stop");
    }

    @Test
    void aRenewalThatExtendsTheSameSubscriptionUnsubscribesNothing() throws Exception {
        // a lease in seconds, and the same id every time
        service.on("POST /subscriptions", r -> FakeService.Answer.of(200, "{\"id\":\"same\",\"expiresIn\":60}"));
        context.getRouteController().startRoute("feed");
        advance(48_000);
        awaitRequests("POST", "/subscriptions", 2);
        await().until(() -> component().getWaitRegistry().scheduledTasks() == 1);
        assertTrue(service.requests("DELETE", "/subscriptions/").isEmpty());
    }

    @Test
    void aStopWhileARenewalIsUnderWayUnsubscribesWhatTheRenewalGot() throws Exception {
        grantNewSubscriptions();
        context.getRouteController().startRoute("feed");
        CountDownLatch renewing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        service.on("POST /subscriptions", r -> {
            renewing.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeService.Answer.of(201, "{\"id\":\"renewed\"}");
        });
        advance(80_000);
        assertTrue(renewing.await(10, TimeUnit.SECONDS));
        // the route stops while the service holds the renewal's answer
        context.getRouteController().stopRoute("feed");
        assertEquals(1, service.requests("DELETE", "/subscriptions/s-1").size());
        release.countDown();
        // the renewal's subscription must not outlive the trigger
        awaitRequests("DELETE", "/subscriptions/renewed", 1);
        assertEquals(LogicWebhookConsumer.SubscriptionState.STOPPED, trigger("feed").getSubscriptionState());
        assertEquals(0, component().getWaitRegistry().scheduledTasks());
    }

    @Test
    void renewIntervalRenewsOnItsOwnClockWhateverTheServiceSays() throws Exception {
        // a lease of 100 s in the answer, which a configured renewInterval overrides
        service.on("POST /interval", r -> FakeService.Answer.of(201, "{\"expiresIn\":100}"));
        context.getRouteController().startRoute("interval");
        advance(80_000);
        assertEquals(1, component().getWaitRegistry().scheduledTasks(), "not at 80 % of the service's lease");
        advance(10 * 60_000 - 80_000);
        awaitRequests("POST", "/interval", 2);
        advance(10 * 60_000);
        awaitRequests("POST", "/interval", 3);
    }

    @Test
    void aCallbackUrlExpiryIsRenewedBeforeTheUrlExpires() throws Exception {
        context.getRouteController().startRoute("expiring");
        String first = json(awaitRequests("POST", "/expiring", 1).get(0).body()).path("callbackUrl").asText();
        advance(48 * 60_000);
        awaitRequests("POST", "/expiring", 2);
        String second = json(service.requests("POST", "/expiring").get(1).body()).path("callbackUrl").asText();
        assertTrue(expiry(second) > expiry(first), first + " then " + second);
        assertEquals(202, service.post(second, "{}").statusCode());
        advance(12 * 60_000);
        assertEquals(410, service.post(first, "{}").statusCode(), "the first URL expired");
        assertEquals(202, service.post(second, "{}").statusCode(), "the renewed one did not");
    }

    @Test
    void aLeaseAWebSubHubGrantsSchedulesTheRenewal() throws Exception {
        service.on("POST /subscriptions", r -> FakeService.Answer.of(202, "{\"id\":\"hub\"}"));
        context.getRouteController().startRoute("feed");
        assertEquals(0, component().getWaitRegistry().scheduledTasks(), "a 202 without a lease: nothing to renew yet");
        // what the handshake calls on hub.mode=subscribe&hub.lease_seconds=1000
        trigger("feed").leaseGranted(1_000);
        advance(799_999);
        assertEquals(1, component().getWaitRegistry().scheduledTasks());
        advance(1);
        awaitRequests("POST", "/subscriptions", 2);
    }

    private static long expiry(String url) {
        return Long.parseLong(url.replaceAll(".*[?&]se=(\\d+).*", "$1"));
    }
}

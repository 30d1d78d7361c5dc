package org.apache.camel.component.logicwebhook;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.callback.CallbackSigner;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Callback URLs as capabilities: key rotation, signed expiry, body limit; and the outbound side: allowed hosts, no
 * redirects.
 */
class LogicWebhookCallbackSecurityTest extends LogicWebhookTestSupport {

    private static final String OLD_KEY = "the-previous-key-0123456789abcdef";

    private final TestClock clock = new TestClock();

    @Override
    void configureComponent(LogicWebhookComponent component) {
        component.setSecondarySigningKey(OLD_KEY);
        component.setClock(clock);
        component.setMaxBodySize(1_000);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:events?subscribeUri=" + service.url() + "/subscriptions").to("mock:events");
                from("logicwebhook:leased?subscribeUri=" + service.url() + "/subscriptions&callbackUrlExpiry=PT1H")
                        .to("mock:leased");
            }
        };
    }

    private String base() {
        return "http://127.0.0.1:" + port + "/logicwebhook/";
    }

    @Test
    void urlsSignedWithThePreviousKeyStayValidDuringARotation() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:events");
        mock.expectedMessageCount(2);
        String current = callbackUrlOf("events");
        String previous = base() + "events?sig="
                          + new CallbackSigner(List.of(OLD_KEY.getBytes(StandardCharsets.UTF_8))).sign("events", null);
        String unknown = base() + "events?sig="
                         + new CallbackSigner(List.of("some-other-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)))
                                 .sign("events", null);
        assertTrue(!current.equals(previous), "new URLs are signed with the new key");
        assertEquals(202, service.post(current, "{}").statusCode());
        assertEquals(202, service.post(previous, "{}").statusCode());
        assertEquals(401, service.post(unknown, "{}").statusCode());
        mock.assertIsSatisfied();
    }

    @Test
    void onlyTheCanonicalSpellingOfTheSignatureIsAccepted() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:events");
        mock.expectedMessageCount(1);
        String url = callbackUrlOf("events");
        String sig = url.substring(url.indexOf("sig=") + "sig=".length());
        assertEquals(43, sig.length(), "32 bytes, unpadded base64url: the last character carries 2 unused bits");

        // the same 32 bytes to a lenient decoder: another character with the same high 4 bits, or padding
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = sig.charAt(sig.length() - 1);
        String flipped = sig.substring(0, sig.length() - 1) + alphabet.charAt(alphabet.indexOf(last) ^ 1);
        String base = url.substring(0, url.indexOf("sig=") + "sig=".length());
        assertEquals(401, service.post(base + flipped, "{}").statusCode(), "a padding bit set");
        assertEquals(401, service.post(base + sig + "%3D", "{}").statusCode(), "padded");
        assertEquals(401, service.post(url + "=", "{}").statusCode(), "padded, unencoded");
        assertEquals(202, service.post(url, "{}").statusCode());
        mock.assertIsSatisfied();
    }

    @Test
    void aSignedExpiryEndsTheUrlAndCannotBeChanged() throws Exception {
        String url = callbackUrlOf("leased");
        String expires = url.replaceAll(".*[?&]se=([0-9]+).*", "$1");
        assertEquals(String.valueOf((clock.millis() + 3_600_000) / 1000), expires);
        assertEquals(202, service.post(url, "{}").statusCode());

        String later = url.replace("se=" + expires, "se=" + (Long.parseLong(expires) + 3600));
        assertEquals(401, service.post(later, "{}").statusCode(), "a changed expiry breaks the signature");
        assertEquals(401, service.post(url.replace("se=" + expires + "&", ""), "{}").statusCode(),
                "a removed expiry breaks the signature");
        assertEquals(401, service.post(url.replace("/leased?", "/leasee?"), "{}").statusCode(),
                "a changed path breaks the signature");

        clock.advance(3_600_000);
        assertEquals(410, service.post(url, "{}").statusCode(), "expired");
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413AndStartsNothing() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:events");
        mock.expectedMessageCount(1);
        String url = callbackUrlOf("events");
        assertEquals(413, service.post(url, "x".repeat(1_001)).statusCode());
        assertEquals(202, service.post(url, "x".repeat(1_000)).statusCode());
        mock.assertIsSatisfied();
    }

    @Test
    void subscribeRequestsGoOnlyToAllowedHostsAndNeverFollowRedirects() throws Exception {
        Exception refused = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:elsewhere?subscribeUri=" + service.url() + "/subscriptions"
                     + "&allowedHosts=*.example.com,hooks.example.org").to("mock:x");
            }
        }));
        assertTrue(rootMessage(refused).contains("not in allowedHosts"), rootMessage(refused));
        assertEquals(2, service.requests("POST", "/subscriptions").size(), "nothing sent to a host not allowed");

        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:allowed?subscribeUri=" + service.url() + "/subscriptions&allowedHosts=127.0.0.1")
                        .to("mock:y");
            }
        });
        assertEquals(3, service.requests("POST", "/subscriptions").size());

        service.on("POST /moved", r -> new FakeService.Answer(307, null,
                Map.of("Location", service.url() + "/subscriptions")));
        Exception redirected = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:moved?subscribeUri=" + service.url() + "/moved").to("mock:z");
            }
        }));
        assertTrue(rootMessage(redirected).contains("307"), rootMessage(redirected));
        assertEquals(3, service.requests("POST", "/subscriptions").size(), "the redirect was not followed");
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof LogicWebhookSubscriptionException)) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}

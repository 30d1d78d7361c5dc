package org.apache.camel.component.logicwebhook.callback;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.component.logicwebhook.callback.PayloadSignatureVerifier.Result;
import org.apache.camel.component.logicwebhook.callback.PayloadSignatureVerifier.Scheme;
import org.apache.camel.util.CaseInsensitiveMap;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadSignatureVerifierTest {

    /*
     * The Standard Webhooks test vector, as published by the specification's reference libraries in
     * github.com/standard-webhooks/standard-webhooks: libraries/java/src/test/java/com/standardwebhooks/WebhookTest.java
     * (verifyWebhookSignWorks) and libraries/python/tests/test_webhooks.py (test_sign_function), which sign
     * "{msg_id}.{timestamp}.{payload}" (spec/standard-webhooks.md, "Signature scheme").
     */
    private static final String SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SW_SECRET_UNPREFIXED = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SW_TIMESTAMP = 1614265330L;
    private static final String SW_BODY = "{\"test\": 2432232314}";
    private static final String SW_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    /* the non-matching signatures of the reference libraries' multi-signature test (test_multi_sig_payload_is_valid) */
    private static final String SW_OTHER_V1 = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
    private static final String SW_OTHER_V2 = "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
    /* the invalid signature of test_invalid_signature_raises_error: the published one with its last byte changed */
    private static final String SW_BAD_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";

    /*
     * GitHub's published test values for X-Hub-Signature-256, from "Validating webhook deliveries", section "Testing
     * the webhook payload validation": https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
     */
    private static final String HUB_SECRET = "It's a Secret to Everybody";
    private static final String HUB_BODY = "Hello, World!";
    private static final String HUB_SIGNATURE
            = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private static final List<String> ALL_SECRETS = List.of(SW_SECRET, SW_SECRET_UNPREFIXED, HUB_SECRET);

    // ---- Standard Webhooks: published vector

    @Test
    void standardWebhooksPublishedVectorVerifies() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
    }

    @Test
    void standardWebhooksSecretWithoutPrefixIsBase64Too() {
        // the reference libraries strip the prefix when there is one and base64-decode what remains either way
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET_UNPREFIXED), clockAt(SW_TIMESTAMP));
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
    }

    @Test
    void ourTestSignerReproducesThePublishedVector() {
        // so that the signatures this test makes for other cases are the ones a Standard Webhooks sender would make
        assertEquals(SW_SIGNATURE, standardSign(SW_SECRET, SW_ID, SW_TIMESTAMP, utf8(SW_BODY)));
        assertEquals(HUB_SIGNATURE, hubSign(HUB_SECRET, utf8(HUB_BODY)));
    }

    @Test
    void publishedInvalidSignatureIsRejected() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_BAD_SIGNATURE), utf8(SW_BODY)),
                "no matching signature");
    }

    @Test
    void headersAreLookedUpCaseInsensitively() {
        Map<String, Object> headers = new CaseInsensitiveMap();
        headers.put("Webhook-Id", SW_ID);
        headers.put("WEBHOOK-TIMESTAMP", Long.toString(SW_TIMESTAMP));
        headers.put("Webhook-Signature", SW_SIGNATURE);
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertOk(verifier.verify(name -> (String) headers.get(name), utf8(SW_BODY)));
    }

    // ---- Standard Webhooks: Svix's names for the headers

    /*
     * Svix (and Resend, Clerk, which deliver through it) may send svix-id, svix-timestamp and svix-signature. The svix
     * library's own tests sign this vector's secret, id and body as standardSign does and send them under these names
     * (svix/svix-webhooks: ruby/spec/webhook_spec.rb, javascript/src/webhook.test.ts); its verifiers
     * (java/lib/src/main/java/com/svix/Webhook.java, python/svix/webhooks.py) read one whole set of names, never a mix
     * (theirs first, then the standard's: ours reads the standard's first, which only matters when both are complete).
     */

    @Test
    void svixNamedHeadersOfThePublishedVectorVerify() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertOk(verifier.verify(named("svix-id", SW_ID, "svix-timestamp", Long.toString(SW_TIMESTAMP),
                "svix-signature", SW_SIGNATURE), utf8(SW_BODY)));
    }

    @Test
    void aSvixDeliveryWithSeveralSignaturesVerifies() {
        // Svix signs id.timestamp.body with the base64-decoded whsec_ secret, as standardSign does
        long timestamp = SW_TIMESTAMP + 42;
        byte[] body = utf8("{\"type\":\"email.delivered\",\"data\":{\"to\":\"a@example.com\"}}");
        String signatures = SW_OTHER_V1 + " " + standardSign(SW_SECRET, "msg_svix_1", timestamp, body);
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(timestamp));
        assertOk(verifier.verify(named("Svix-Id", "msg_svix_1", "Svix-Timestamp", Long.toString(timestamp),
                "Svix-Signature", signatures), body));
        assertRejected(verifier.verify(named("svix-id", "msg_svix_2", "svix-timestamp", Long.toString(timestamp),
                "svix-signature", signatures), body), "no matching signature");
    }

    @Test
    void aSvixDeliveryIsRefusedNamingTheHeaderItLacksOrGotWrong() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        String timestamp = Long.toString(SW_TIMESTAMP);
        assertRejected(verifier.verify(named("svix-id", SW_ID, "svix-timestamp", timestamp), utf8(SW_BODY)),
                "missing svix-signature header");
        assertRejected(verifier.verify(named("svix-timestamp", timestamp, "svix-signature", SW_SIGNATURE),
                utf8(SW_BODY)), "missing svix-id header");
        assertRejected(verifier.verify(named("svix-id", SW_ID, "svix-timestamp", "soon", "svix-signature",
                SW_SIGNATURE), utf8(SW_BODY)), "invalid svix-timestamp header");
    }

    @Test
    void theTwoSetsOfNamesAreNeverMixed() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        String timestamp = Long.toString(SW_TIMESTAMP);
        assertRejected(verifier.verify(named("webhook-id", SW_ID, "svix-timestamp", timestamp, "svix-signature",
                SW_SIGNATURE), utf8(SW_BODY)), "missing svix-id header");
        assertRejected(verifier.verify(named("svix-id", SW_ID, "webhook-timestamp", timestamp, "webhook-signature",
                SW_SIGNATURE), utf8(SW_BODY)), "missing svix-timestamp header");
    }

    @Test
    void aCompleteStandardSetIsReadBeforeTheSvixOne() {
        String timestamp = Long.toString(SW_TIMESTAMP);
        assertOk(standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP)).verify(named(
                "webhook-id", SW_ID, "webhook-timestamp", timestamp, "webhook-signature", SW_SIGNATURE,
                "svix-id", SW_ID, "svix-timestamp", timestamp, "svix-signature", SW_BAD_SIGNATURE), utf8(SW_BODY)));
        assertRejected(standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP)).verify(named(
                "webhook-id", SW_ID, "webhook-timestamp", timestamp, "webhook-signature", SW_BAD_SIGNATURE,
                "svix-id", SW_ID, "svix-timestamp", timestamp, "svix-signature", SW_SIGNATURE), utf8(SW_BODY)),
                "no matching signature");
    }

    @Test
    void aDeliveryReplayedUnderTheOtherNamesIsAReplay() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        String timestamp = Long.toString(SW_TIMESTAMP);
        Function<String, String> svix = named("svix-id", SW_ID, "svix-timestamp", timestamp, "svix-signature",
                SW_SIGNATURE);
        assertOk(verifier.verify(svix, utf8(SW_BODY)));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)),
                "replayed webhook-id");
        assertRejected(verifier.verify(svix, utf8(SW_BODY)), "replayed svix-id");

        // a delivery the route did not take is forgotten under the names it came with, so Svix's retry is taken
        verifier.forget(svix);
        assertOk(verifier.verify(svix, utf8(SW_BODY)));
    }

    // ---- Standard Webhooks: tampering

    @Test
    void tamperedBodyIsRejected() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE),
                utf8("{\"test\": 2432232315}")), "no matching signature");
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE),
                utf8("{\"test\":2432232314}")), "no matching signature");
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), new byte[0]),
                "no matching signature");
    }

    @Test
    void tamperedIdIsRejected() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertRejected(verifier.verify(standardHeaders("msg_p5jXN8AQM9LWM0D4loKWxJeK", SW_TIMESTAMP, SW_SIGNATURE),
                utf8(SW_BODY)), "no matching signature");
    }

    @Test
    void tamperedTimestampIsRejected() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP + 1, SW_SIGNATURE), utf8(SW_BODY)),
                "no matching signature");
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP - 1, SW_SIGNATURE), utf8(SW_BODY)),
                "no matching signature");
    }

    @Test
    void signatureOfAnotherSecretIsRejected() {
        String other = "whsec_" + Base64.getEncoder().encodeToString(utf8("another secret of 24 byte"));
        PayloadSignatureVerifier verifier = standard(List.of(other), clockAt(SW_TIMESTAMP));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)),
                "no matching signature");
    }

    // ---- Standard Webhooks: timestamp tolerance

    @Test
    void timestampOlderThanTheToleranceIsRejected() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP + 5 * 60 + 1));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)),
                "timestamp too old");
    }

    @Test
    void timestampNewerThanTheToleranceIsRejected() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP - 5 * 60 - 1));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)),
                "timestamp too new");
    }

    @Test
    void timestampAtTheEdgesOfTheToleranceIsAccepted() {
        assertOk(standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP + 5 * 60))
                .verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
        assertOk(standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP - 5 * 60))
                .verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
    }

    @Test
    void toleranceIsConfigurable() {
        MutableClock clock = new MutableClock(SW_TIMESTAMP + 31);
        PayloadSignatureVerifier verifier
                = new PayloadSignatureVerifier(Scheme.STANDARD_WEBHOOKS, List.of(SW_SECRET), clock,
                        Duration.ofSeconds(30), 10);
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)),
                "timestamp too old");
        clock.set(SW_TIMESTAMP + 30);
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
    }

    @Test
    void timestampThatIsNotAnIntegerIsRejected() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        for (String timestamp : List.of("hello", "1614265330.5", "-1614265330", "+1614265330", "0x6037b2f2",
                "99999999999999999999999999", "1614265330 1614265330")) {
            Result result = assertDoesNotThrow(
                    () -> verifier.verify(headers(SW_ID, timestamp, SW_SIGNATURE), utf8(SW_BODY)), timestamp);
            assertRejected(result, "invalid webhook-timestamp header");
        }
    }

    // ---- Standard Webhooks: several signatures, several secrets

    @Test
    void oneValidSignatureAmongSeveralIsEnough() {
        // the reference libraries' multi-signature case, around the published signature
        String signatures = String.join(" ", SW_OTHER_V1, SW_OTHER_V2, SW_SIGNATURE, SW_OTHER_V1);
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, signatures), utf8(SW_BODY)));
    }

    @Test
    void rotatingSenderSignsWithOldAndNewSecret() {
        String oldSecret = "whsec_" + Base64.getEncoder().encodeToString(utf8("the old secret, 24 bytes"));
        byte[] body = utf8("{\"rotated\":true}");
        String signatures = standardSign(oldSecret, "msg_1", SW_TIMESTAMP, body) + " "
                            + standardSign(SW_SECRET, "msg_1", SW_TIMESTAMP, body);
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertOk(verifier.verify(standardHeaders("msg_1", SW_TIMESTAMP, signatures), body));
    }

    @Test
    void signaturesOfOtherVersionsAreIgnored() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        String mac = SW_SIGNATURE.substring("v1,".length());
        for (String signatures : List.of("v2," + mac, "v1a," + mac, "V1," + mac, "v1 ," + mac, SW_OTHER_V2)) {
            assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, signatures), utf8(SW_BODY)),
                    "no matching signature");
        }
    }

    @Test
    void secondOfTwoSecretsMatches() {
        String first = "whsec_" + Base64.getEncoder().encodeToString(utf8("the new secret, 24 bytes"));
        PayloadSignatureVerifier verifier = standard(List.of(first, SW_SECRET), clockAt(SW_TIMESTAMP));
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
    }

    // ---- Standard Webhooks: replays

    @Test
    void replayOfTheSameIdIsRejected() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)),
                "replayed webhook-id");
    }

    @Test
    void redeliveryOfTheSameIdWithANewTimestampIsRejectedWhileRemembered() {
        MutableClock clock = new MutableClock(SW_TIMESTAMP);
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clock);
        byte[] body = utf8(SW_BODY);
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), body));

        // a sender's retry keeps the id and signs a new timestamp
        clock.set(SW_TIMESTAMP + 5 * 60);
        long retry = SW_TIMESTAMP + 5 * 60;
        assertRejected(verifier.verify(standardHeaders(SW_ID, retry, standardSign(SW_SECRET, SW_ID, retry, body)),
                body), "replayed webhook-id");

        // the first delivery is still refused while its timestamp would pass: the id was remembered long enough
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), body),
                "replayed webhook-id");
        clock.set(SW_TIMESTAMP + 5 * 60 + 1);
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), body),
                "timestamp too old");

        // once the window has passed the id is forgotten, and the cache does not grow without end
        long later = SW_TIMESTAMP + 3600;
        clock.set(later);
        assertOk(verifier.verify(standardHeaders(SW_ID, later, standardSign(SW_SECRET, SW_ID, later, body)), body));
        assertEquals(1, verifier.rememberedIds());
    }

    @Test
    void idWithAFutureTimestampIsRememberedUntilThatTimestampHasExpired() {
        MutableClock clock = new MutableClock(SW_TIMESTAMP - 5 * 60);
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clock);
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
        clock.set(SW_TIMESTAMP + 5 * 60);
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)),
                "replayed webhook-id");
    }

    @Test
    void idIsOnlyRememberedOnceItsSignatureVerified() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_BAD_SIGNATURE), utf8(SW_BODY)),
                "no matching signature");
        assertRejected(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8("{}")),
                "no matching signature");
        assertEquals(0, verifier.rememberedIds());
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY)));
    }

    @Test
    void fullReplayCacheRefusesRatherThanForgetsEarly() {
        MutableClock clock = new MutableClock(SW_TIMESTAMP);
        PayloadSignatureVerifier verifier = new PayloadSignatureVerifier(Scheme.STANDARD_WEBHOOKS, List.of(SW_SECRET),
                clock, PayloadSignatureVerifier.DEFAULT_TOLERANCE, 2);
        byte[] body = utf8(SW_BODY);
        for (String id : List.of("msg_1", "msg_2")) {
            assertOk(verifier.verify(standardHeaders(id, SW_TIMESTAMP, standardSign(SW_SECRET, id, SW_TIMESTAMP, body)),
                    body));
        }
        assertRejected(verifier.verify(standardHeaders("msg_3", SW_TIMESTAMP,
                standardSign(SW_SECRET, "msg_3", SW_TIMESTAMP, body)), body), "replay cache full");
        assertRejected(verifier.verify(standardHeaders("msg_1", SW_TIMESTAMP,
                standardSign(SW_SECRET, "msg_1", SW_TIMESTAMP, body)), body), "replayed webhook-id");

        long later = SW_TIMESTAMP + 5 * 60 + 1;
        clock.set(later);
        assertOk(verifier.verify(standardHeaders("msg_3", later, standardSign(SW_SECRET, "msg_3", later, body)), body));
        assertEquals(1, verifier.rememberedIds());
    }

    @Test
    void concurrentDeliveriesOfOneIdAcceptOnlyOne() throws Exception {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        int threads = 8;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Result>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Result> delivery = () -> {
                    start.await();
                    return verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, SW_SIGNATURE), utf8(SW_BODY));
                };
                results.add(executor.submit(delivery));
            }
            start.countDown();
            int ok = 0;
            for (Future<Result> result : results) {
                Result r = result.get(10, TimeUnit.SECONDS);
                if (r.ok()) {
                    ok++;
                } else {
                    assertEquals("replayed webhook-id", r.reason());
                }
            }
            assertEquals(1, ok);
        } finally {
            executor.shutdownNow();
        }
    }

    // ---- Standard Webhooks: missing and malformed headers

    @Test
    void missingHeadersAreRejectedWithAReason() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        String timestamp = Long.toString(SW_TIMESTAMP);
        assertRejected(verifier.verify(headers(null, timestamp, SW_SIGNATURE), utf8(SW_BODY)),
                "missing webhook-id header");
        assertRejected(verifier.verify(headers(SW_ID, null, SW_SIGNATURE), utf8(SW_BODY)),
                "missing webhook-timestamp header");
        assertRejected(verifier.verify(headers(SW_ID, timestamp, null), utf8(SW_BODY)),
                "missing webhook-signature header");
        assertRejected(verifier.verify(headers(" ", timestamp, SW_SIGNATURE), utf8(SW_BODY)),
                "missing webhook-id header");
        assertRejected(verifier.verify(name -> null, null), "missing webhook-id header");
    }

    @Test
    void malformedSignaturesAreRejectedWithoutException() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        String mac = SW_SIGNATURE.substring("v1,".length());
        for (String signatures : List.of("v1,not base64!", "v1,!!!!", "v1,", "v1", ",", ",,,", "v1,,", "garbage",
                // unpadded, and with the unused low bits of the last character set: not the canonical encoding
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O",
                "v1," + mac + "AAAA", "v1," + mac.substring(0, 20), "v1," + mac.replace('+', '-'),
                "v1,\u00e9\u00e9\u00e9\u00e9", "v1=" + mac, "v1," + mac + "," + mac)) {
            Result result = assertDoesNotThrow(
                    () -> verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, signatures), utf8(SW_BODY)),
                    signatures);
            assertRejected(result, "no matching signature");
        }
        // a malformed entry next to the valid one does not hide it
        assertOk(verifier.verify(standardHeaders(SW_ID, SW_TIMESTAMP, "v1,!!!! " + SW_SIGNATURE), utf8(SW_BODY)));
    }

    @Test
    void nullBodyIsAnEmptyBody() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        String signature = standardSign(SW_SECRET, "msg_empty", SW_TIMESTAMP, new byte[0]);
        assertOk(verifier.verify(standardHeaders("msg_empty", SW_TIMESTAMP, signature), null));
    }

    @Test
    void rawBodyBytesAreSignedNotADecodedString() {
        PayloadSignatureVerifier verifier = standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP));
        byte[] body = {(byte) 0xff, (byte) 0xfe, 0, '{', '}', (byte) 0xc3};
        String signature = standardSign(SW_SECRET, "msg_bin", SW_TIMESTAMP, body);
        assertOk(verifier.verify(standardHeaders("msg_bin", SW_TIMESTAMP, signature), body));
    }

    // ---- X-Hub-Signature-256

    @Test
    void hubSignaturePublishedVectorVerifies() {
        assertOk(hub(List.of(HUB_SECRET)).verify(hubHeader(HUB_SIGNATURE), utf8(HUB_BODY)));
    }

    @Test
    void hubSignatureInUpperCaseHexVerifies() {
        String upper = "sha256=" + HUB_SIGNATURE.substring("sha256=".length()).toUpperCase(Locale.ROOT);
        assertOk(hub(List.of(HUB_SECRET)).verify(hubHeader(upper), utf8(HUB_BODY)));
    }

    @Test
    void hubSignatureHeaderIsLookedUpCaseInsensitively() {
        Map<String, Object> headers = new CaseInsensitiveMap();
        headers.put("x-hub-signature-256", HUB_SIGNATURE);
        assertOk(hub(List.of(HUB_SECRET)).verify(name -> (String) headers.get(name), utf8(HUB_BODY)));
    }

    @Test
    void hubSignatureOfATamperedBodyIsRejected() {
        PayloadSignatureVerifier verifier = hub(List.of(HUB_SECRET));
        assertRejected(verifier.verify(hubHeader(HUB_SIGNATURE), utf8("Hello, World?")), "no matching signature");
        assertRejected(verifier.verify(hubHeader(HUB_SIGNATURE), utf8("Hello, World!\n")), "no matching signature");
        assertRejected(verifier.verify(hubHeader(HUB_SIGNATURE), null), "no matching signature");
    }

    @Test
    void hubSignatureSecondOfTwoSecretsMatches() {
        assertOk(hub(List.of("a newer secret", HUB_SECRET)).verify(hubHeader(HUB_SIGNATURE), utf8(HUB_BODY)));
        assertRejected(hub(List.of("a newer secret", "an older one")).verify(hubHeader(HUB_SIGNATURE),
                utf8(HUB_BODY)), "no matching signature");
    }

    @Test
    void hubSignatureIsNotReplayProtectedAndDeliversAgain() {
        // the scheme signs neither an id nor a time: there is nothing to tell a replay from a redelivery
        PayloadSignatureVerifier verifier = hub(List.of(HUB_SECRET));
        assertOk(verifier.verify(hubHeader(HUB_SIGNATURE), utf8(HUB_BODY)));
        assertOk(verifier.verify(hubHeader(HUB_SIGNATURE), utf8(HUB_BODY)));
    }

    @Test
    void missingHubSignatureIsRejectedWithAReason() {
        PayloadSignatureVerifier verifier = hub(List.of(HUB_SECRET));
        assertRejected(verifier.verify(name -> null, utf8(HUB_BODY)), "missing X-Hub-Signature-256 header");
        assertRejected(verifier.verify(hubHeader(""), utf8(HUB_BODY)), "missing X-Hub-Signature-256 header");
        // the SHA-1 X-Hub-Signature header is not accepted in its stead
        assertRejected(verifier.verify(name -> "X-Hub-Signature".equalsIgnoreCase(name)
                ? "sha1=" + "00".repeat(20) : null, utf8(HUB_BODY)),
                "missing X-Hub-Signature-256 header");
    }

    @Test
    void malformedHubSignaturesAreRejectedWithoutException() {
        PayloadSignatureVerifier verifier = hub(List.of(HUB_SECRET));
        String hex = HUB_SIGNATURE.substring("sha256=".length());
        for (String signature : List.of(hex, "sha256=", "sha256", "sha1=" + hex, "sha512=" + hex,
                "sha256=" + hex.substring(1), "sha256=" + hex + "0", "sha256=" + hex + "00",
                "sha256=" + hex.substring(2), "sha256=zz" + hex.substring(2), "sha256=" + hex.replace('e', 'g'),
                "sha256=" + hex.substring(0, 62) + "\u00e9\u00e9", "sha256=" + Base64.getEncoder()
                        .encodeToString(HexFormat.of().parseHex(hex)),
                "sha256= " + hex.substring(1), "sha256=-" + hex.substring(1))) {
            Result result = assertDoesNotThrow(() -> verifier.verify(hubHeader(signature), utf8(HUB_BODY)),
                    signature);
            assertFalse(result.ok(), signature);
            assertTrue(result.reason().equals("malformed X-Hub-Signature-256 header")
                    || result.reason().equals("no matching signature"), result.reason());
        }
    }

    // ---- construction

    @Test
    void invalidSecretsAreRefusedWithoutQuotingThem() {
        String notBase64 = "whsec_this is not base64!";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> standard(List.of(SW_SECRET, notBase64), clockAt(SW_TIMESTAMP)));
        assertTrue(e.getMessage().contains("#2"), e.getMessage());
        assertFalse(e.getMessage().contains("this is not"), e.getMessage());
        assertNull(e.getCause());

        assertThrows(IllegalArgumentException.class, () -> standard(List.of(), clockAt(SW_TIMESTAMP)));
        assertThrows(IllegalArgumentException.class, () -> standard(List.of("whsec_"), clockAt(SW_TIMESTAMP)));
        assertThrows(IllegalArgumentException.class, () -> hub(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> new PayloadSignatureVerifier(Scheme.STANDARD_WEBHOOKS,
                List.of(SW_SECRET), Clock.systemUTC(), Duration.ofSeconds(-1), 10));
        assertThrows(IllegalArgumentException.class, () -> new PayloadSignatureVerifier(Scheme.STANDARD_WEBHOOKS,
                List.of(SW_SECRET), Clock.systemUTC(), Duration.ofMinutes(5), 0));
        assertFalse(standard(List.of(SW_SECRET), clockAt(SW_TIMESTAMP)).toString().contains(SW_SECRET_UNPREFIXED));
    }

    @Test
    void defaultsAreFiveMinutesAndTenThousandIds() {
        assertEquals(Duration.ofMinutes(5), PayloadSignatureVerifier.DEFAULT_TOLERANCE);
        assertEquals(10_000, PayloadSignatureVerifier.DEFAULT_REPLAY_CACHE_CAPACITY);
        assertEquals(Scheme.HUB_SIGNATURE_256, hub(List.of(HUB_SECRET)).scheme());
    }

    // ---- helpers

    private static PayloadSignatureVerifier standard(List<String> secrets, Clock clock) {
        return PayloadSignatureVerifier.of(Scheme.STANDARD_WEBHOOKS, secrets, clock);
    }

    private static PayloadSignatureVerifier hub(List<String> secrets) {
        return PayloadSignatureVerifier.of(Scheme.HUB_SIGNATURE_256, secrets, Clock.systemUTC());
    }

    private static Clock clockAt(long epochSecond) {
        return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }

    private static Function<String, String> standardHeaders(String id, long timestamp, String signature) {
        return headers(id, Long.toString(timestamp), signature);
    }

    /** A case-insensitive lookup of the three Standard Webhooks headers; a {@code null} value is a missing header. */
    private static Function<String, String> headers(String id, String timestamp, String signature) {
        return name -> switch (name.toLowerCase(Locale.ROOT)) {
            case "webhook-id" -> id;
            case "webhook-timestamp" -> timestamp;
            case "webhook-signature" -> signature;
            default -> null;
        };
    }

    /** A case-insensitive lookup of the headers given as name, value, name, value… */
    private static Function<String, String> named(String... namesAndValues) {
        Map<String, Object> headers = new CaseInsensitiveMap();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return name -> (String) headers.get(name);
    }

    private static Function<String, String> hubHeader(String signature) {
        return name -> "x-hub-signature-256".equalsIgnoreCase(name) ? signature : null;
    }

    /** Signs as a Standard Webhooks sender does; checked against the published vector above. */
    private static String standardSign(String secret, String id, long timestamp, byte[] body) {
        String encoded = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        return "v1," + Base64.getEncoder().encodeToString(hmac(Base64.getDecoder().decode(encoded), prefix, body));
    }

    private static String hubSign(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmac(utf8(secret), new byte[0], body));
    }

    private static byte[] hmac(byte[] key, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(prefix);
            return mac.doFinal(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertOk(Result result) {
        assertTrue(result.ok(), () -> "rejected: " + result.reason());
        assertNull(result.reason());
    }

    private static void assertRejected(Result result, String reason) {
        assertFalse(result.ok(), "accepted");
        assertEquals(reason, result.reason());
        for (String secret : ALL_SECRETS) {
            assertFalse(result.reason().contains(secret), "the reason quotes a secret");
        }
    }

    /** A clock that only moves when a test moves it, in whole seconds. */
    private static final class MutableClock extends Clock {

        private final AtomicLong epochSecond;

        MutableClock(long epochSecond) {
            this.epochSecond = new AtomicLong(epochSecond);
        }

        void set(long second) {
            epochSecond.set(second);
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(epochSecond.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}

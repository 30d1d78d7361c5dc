package org.apache.camel.component.logicwebhook.subscription;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.apache.camel.component.logicwebhook.LogicWebhookConfiguration;
import org.apache.camel.component.logicwebhook.LogicWebhookSubscriptionException;
import org.apache.camel.component.logicwebhook.TestClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retry policy's arithmetic, against the Logic Apps formula and defaults. */
class RetryPolicyTest {

    private final TestClock clock = new TestClock();

    private RetryPolicy defaults() {
        return RetryPolicy.of(new LogicWebhookConfiguration(), clock);
    }

    private static LogicWebhookSubscriptionException answered(int status, String retryAfter) {
        return new LogicWebhookSubscriptionException("answered " + status, status, null, retryAfter,
                LogicWebhookSubscriptionException.isRetryableStatus(status), null);
    }

    @Test
    void theDefaultIsExponentialWithFourRetriesBetweenIntervalTimesPowersOfTwoClampedToTheMinimum() {
        RetryPolicy policy = defaults();
        // interval 7 s, minimum 5 s: retry n waits between 7 s x 2^(n-2) and 7 s x 2^(n-1), never under 5 s
        long[][] ranges = { { 5_000, 7_000 }, { 7_000, 14_000 }, { 14_000, 28_000 }, { 28_000, 56_000 } };
        for (int retry = 1; retry <= 4; retry++) {
            long low = Long.MAX_VALUE;
            long high = 0;
            for (int i = 0; i < 2_000; i++) {
                long delay = policy.delayBeforeRetry(retry, answered(503, null));
                low = Math.min(low, delay);
                high = Math.max(high, delay);
            }
            long[] range = ranges[retry - 1];
            assertTrue(low >= range[0] && high <= range[1], "retry " + retry + ": " + low + ".." + high);
            // random across the range (jitter), not a fixed point
            long width = range[1] - range[0];
            assertTrue(low < range[0] + width / 4 && high > range[1] - width / 4, "retry " + retry + ": " + low + ".." + high);
        }
        assertEquals(-1, policy.delayBeforeRetry(5, answered(503, null)), "4 retries, then no more");
    }

    @Test
    void delaysNeverExceedTheMaximumInterval() {
        LogicWebhookConfiguration configuration = new LogicWebhookConfiguration();
        configuration.setRetryCount(90);
        configuration.setRetryMaximumInterval(60_000);
        RetryPolicy policy = RetryPolicy.of(configuration, clock);
        assertEquals(60_000, policy.delayBeforeRetry(90, answered(500, null)));
        assertEquals(60_000, policy.delayBeforeRetry(40, answered(500, null)));
    }

    @Test
    void fixedWaitsTheIntervalAndNoneNeverRetries() {
        LogicWebhookConfiguration configuration = new LogicWebhookConfiguration();
        configuration.setRetryPolicy("fixed");
        configuration.setRetryCount(2);
        configuration.setRetryInterval(20_000);
        RetryPolicy fixed = RetryPolicy.of(configuration, clock);
        assertEquals(20_000, fixed.delayBeforeRetry(1, answered(502, null)));
        assertEquals(20_000, fixed.delayBeforeRetry(2, answered(502, null)));
        assertEquals(-1, fixed.delayBeforeRetry(3, answered(502, null)));

        configuration.setRetryPolicy("none");
        assertEquals(-1, RetryPolicy.of(configuration, clock).delayBeforeRetry(1, answered(503, null)));
    }

    @Test
    void only408And429And5xxAndNetworkFailuresAreRetried() {
        RetryPolicy policy = defaults();
        for (int status : new int[] { 408, 429, 500, 502, 503, 504, 599 }) {
            assertTrue(policy.delayBeforeRetry(1, answered(status, null)) > 0, "retried: " + status);
        }
        for (int status : new int[] { 400, 401, 403, 404, 405, 409, 410, 422 }) {
            assertEquals(-1, policy.delayBeforeRetry(1, answered(status, null)), "not retried: " + status);
        }
        assertTrue(new LogicWebhookSubscriptionException("refused", 0, null, new java.net.ConnectException("refused"))
                .isRetryable());
        assertFalse(new LogicWebhookSubscriptionException("untrusted", 0, null,
                new java.io.IOException(new javax.net.ssl.SSLHandshakeException("PKIX"))).isRetryable());
    }

    @Test
    void retryAfterInSecondsOrAsADateTakesThePlaceOfTheBackoffUpToTheMaximum() {
        RetryPolicy policy = defaults();
        assertEquals(120_000, policy.delayBeforeRetry(1, answered(429, "120")));
        assertEquals(0, policy.delayBeforeRetry(1, answered(503, "0")));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME
                .format(Instant.ofEpochMilli(clock.millis()).plusSeconds(90).atOffset(ZoneOffset.UTC));
        assertEquals(90_000, policy.delayBeforeRetry(1, answered(503, date)), date);
        // a date in the past: at once
        clock.advance(200_000);
        assertEquals(0, policy.delayBeforeRetry(1, answered(503, date)));
        // the maximum interval (1 h) bounds what a service may ask for
        assertEquals(3_600_000, policy.delayBeforeRetry(1, answered(503, "86400")));
        // unreadable: the backoff applies
        long delay = policy.delayBeforeRetry(1, answered(503, "soon"));
        assertTrue(delay >= 5_000 && delay <= 7_000, String.valueOf(delay));
        // a 4xx with Retry-After is still not retried
        assertEquals(-1, policy.delayBeforeRetry(1, answered(403, "1")));
    }

    @Test
    void aWrongPolicyOrCountIsRefusedClearly() {
        LogicWebhookConfiguration configuration = new LogicWebhookConfiguration();
        configuration.setRetryPolicy("sometimes");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetryPolicy.of(configuration, clock)).getMessage()
                .contains("none, fixed, exponential"));
        configuration.setRetryPolicy("fixed");
        configuration.setRetryCount(91);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetryPolicy.of(configuration, clock)).getMessage()
                .contains("between 0 and 90"));
    }
}

package org.apache.camel.component.logicwebhook.subscription;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.camel.component.logicwebhook.LogicWebhookConfiguration;
import org.apache.camel.component.logicwebhook.LogicWebhookSubscriptionException;

/**
 * When to try a failed subscribe or unsubscribe again, with Logic Apps' semantics: {@code none}, {@code fixed} (every
 * interval) or {@code exponential} (retry n waits a random time between interval·2^(n−2) and interval·2^(n−1), clamped
 * to the minimum and maximum interval). Only a request that may succeed later is retried: no answer at all, 408, 429
 * and 5xx; a {@code Retry-After} in the answer takes the place of the computed delay (never past the maximum).
 */
final class RetryPolicy {

    enum Type {
        NONE,
        FIXED,
        EXPONENTIAL
    }

    private final Type type;
    private final int count;
    private final long interval;
    private final long minimum;
    private final long maximum;
    private final Clock clock;

    RetryPolicy(Type type, int count, long interval, long minimum, long maximum, Clock clock) {
        this.type = type;
        this.count = type == Type.NONE ? 0 : count;
        this.interval = interval;
        this.minimum = minimum;
        this.maximum = Math.max(minimum, maximum);
        this.clock = clock;
    }

    static RetryPolicy of(LogicWebhookConfiguration configuration, Clock clock) {
        Type type;
        try {
            type = Type.valueOf(configuration.getRetryPolicy().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown retryPolicy " + configuration.getRetryPolicy()
                                               + " (none, fixed, exponential)");
        }
        if (configuration.getRetryCount() < 0 || configuration.getRetryCount() > 90) {
            // Logic Apps' own bound
            throw new IllegalArgumentException("retryCount must be between 0 and 90, not " + configuration.getRetryCount());
        }
        return new RetryPolicy(type, configuration.getRetryCount(), configuration.getRetryInterval(),
                configuration.getRetryMinimumInterval(), configuration.getRetryMaximumInterval(), clock);
    }

    int count() {
        return count;
    }

    /**
     * The delay before retry number {@code retry} (1 for the first retry) of a request that failed this way.
     *
     * @return milliseconds to wait, or -1 when the request is not to be retried
     */
    long delayBeforeRetry(int retry, LogicWebhookSubscriptionException failure) {
        if (retry > count || !failure.isRetryable()) {
            return -1;
        }
        long retryAfter = retryAfter(failure.getRetryAfter());
        if (retryAfter >= 0) {
            return Math.min(retryAfter, maximum);
        }
        if (type == Type.FIXED) {
            return interval;
        }
        long low = clamp(scaled(retry - 2));
        long high = clamp(scaled(retry - 1));
        return low >= high ? high : ThreadLocalRandom.current().nextLong(low, high + 1);
    }

    /** interval·2^exponent, for an exponent from -1 up, without overflowing. */
    private long scaled(int exponent) {
        if (exponent < 0) {
            return interval / 2;
        }
        return exponent >= Long.numberOfLeadingZeros(Math.max(1, interval)) - 1 ? Long.MAX_VALUE : interval << exponent;
    }

    private long clamp(long delay) {
        return Math.max(minimum, Math.min(maximum, delay));
    }

    /** A Retry-After value (delay-seconds or an HTTP date) in milliseconds from now, or -1 when absent or unreadable. */
    long retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        String text = value.trim();
        try {
            return Math.max(0, Math.multiplyExact(Long.parseLong(text), 1000L));
        } catch (NumberFormatException | ArithmeticException e) {
            // not delay-seconds: an HTTP date, then
        }
        try {
            long at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, at - clock.millis());
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}

package org.apache.camel.component.logicwebhook;

import java.util.concurrent.atomic.LongAdder;

/**
 * What an endpoint counts for its operators (JMX, metrics, the dev console): cheap to update from any thread.
 */
final class EndpointStatistics {

    private final LongAdder subscribeFailures = new LongAdder();
    private final LongAdder unsubscribeFailures = new LongAdder();
    private volatile String lastError;
    private volatile long lastErrorAt;

    /** A subscribe (or a trigger's renewal) gave up: its retries, if any, are exhausted. */
    void subscribeFailed(String error, long now) {
        subscribeFailures.increment();
        error(error, now);
    }

    /** An unsubscribe gave up: the subscription may still exist at the service. */
    void unsubscribeFailed(String error, long now) {
        unsubscribeFailures.increment();
        error(error, now);
    }

    private void error(String error, long now) {
        lastError = error;
        lastErrorAt = now;
    }

    long subscribeFailures() {
        return subscribeFailures.sum();
    }

    long unsubscribeFailures() {
        return unsubscribeFailures.sum();
    }

    /** The message of the last failure (no secret and no signed URL: see {@link SubscriptionClient#excerpt}). */
    String lastError() {
        return lastError;
    }

    /** When the last failure happened, in the component clock's milliseconds; 0 when none did. */
    long lastErrorAt() {
        return lastErrorAt;
    }
}

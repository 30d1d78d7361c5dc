package org.apache.camel.component.logicwebhook.observability;

import java.util.concurrent.atomic.LongAdder;

import org.apache.camel.component.logicwebhook.subscription.SubscriptionClient;

/**
 * What the endpoints of one name count for their operators (JMX, metrics, the dev console): cheap to update from any
 * thread. Kept per name, not per endpoint object, because a name is what a callback path and a meter tag carry; two
 * endpoint URIs with the same name share one.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class EndpointStatistics {

    /** Where the wait-duration timer of a name records; set while Micrometer meters are bound. */
    interface WaitDurations {
        void record(WaitOutcome outcome, long millis);
    }

    /** The endpoint name, or {@link ComponentStatistics#UNATTRIBUTED} for callbacks that name no known endpoint. */
    final String name;
    private final LongAdder subscribeFailures = new LongAdder();
    private final LongAdder unsubscribeFailures = new LongAdder();
    private final LongAdder pendingWaits = new LongAdder();
    /** Indexed by {@link WaitOutcome#ordinal()}. */
    private final LongAdder[] waitOutcomes = newAdders(WaitOutcome.ALL.length);
    /** Indexed by {@link CallbackOutcome#ordinal()}. */
    private final LongAdder[] callbacks = newAdders(CallbackOutcome.ALL.length);
    private volatile String lastError;
    private volatile long lastErrorAt;
    private volatile WaitDurations waitDurations;

    EndpointStatistics(String name) {
        this.name = name;
    }

    private static LongAdder[] newAdders(int count) {
        LongAdder[] adders = new LongAdder[count];
        for (int i = 0; i < count; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    /** A subscribe (or a trigger's renewal) gave up: its retries, if any, are exhausted. */
    public void subscribeFailed(String error, long now) {
        subscribeFailures.increment();
        error(error, now);
    }

    /** An unsubscribe gave up: the subscription may still exist at the service. */
    public void unsubscribeFailed(String error, long now) {
        unsubscribeFailures.increment();
        error(error, now);
    }

    private void error(String error, long now) {
        lastError = error;
        lastErrorAt = now;
    }

    void callbackAnswered(CallbackOutcome outcome) {
        callbacks[outcome.ordinal()].increment();
    }

    public void waitStarted() {
        pendingWaits.increment();
    }

    /** A wait was taken back before it really began (its subscribe failed): it has no outcome. */
    public void waitAbandoned() {
        pendingWaits.decrement();
    }

    public void waitEnded(WaitOutcome outcome, long millis) {
        pendingWaits.decrement();
        waitOutcomes[outcome.ordinal()].increment();
        WaitDurations durations = waitDurations;
        if (durations != null) {
            durations.record(outcome, millis);
        }
    }

    void setWaitDurations(WaitDurations waitDurations) {
        this.waitDurations = waitDurations;
    }

    public long subscribeFailures() {
        return subscribeFailures.sum();
    }

    public long unsubscribeFailures() {
        return unsubscribeFailures.sum();
    }

    public long pendingWaits() {
        return pendingWaits.sum();
    }

    public long waits(WaitOutcome outcome) {
        return waitOutcomes[outcome.ordinal()].sum();
    }

    public long callbacks(CallbackOutcome outcome) {
        return callbacks[outcome.ordinal()].sum();
    }

    /** Every callback that was not accepted. */
    public long callbacksRejected() {
        long rejected = 0;
        for (CallbackOutcome outcome : CallbackOutcome.ALL) {
            if (outcome != CallbackOutcome.ACCEPTED) {
                rejected += callbacks(outcome);
            }
        }
        return rejected;
    }

    /** The message of the last failure (no secret and no signed URL: see {@link SubscriptionClient#excerpt}). */
    public String lastError() {
        return lastError;
    }

    /** When the last failure happened, in the component clock's milliseconds; 0 when none did. */
    public long lastErrorAt() {
        return lastErrorAt;
    }
}

package org.apache.camel.component.logicwebhook.wait;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.component.logicwebhook.observability.WaitOutcome;
import org.apache.camel.component.logicwebhook.observability.WaitStatus;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;

/**
 * One exchange suspended in the action until its callback, its timeout or a cancel. Kept small: there can be many
 * thousands of these at once. The first party to give it an {@link #outcome()} owns the exchange and is the only one
 * that calls its callback.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class PendingWait implements WaitStatus {

    private static final AtomicReferenceFieldUpdater<PendingWait, WaitOutcome> OUTCOME
            = AtomicReferenceFieldUpdater.newUpdater(PendingWait.class, WaitOutcome.class, "outcome");

    public final String id;
    public final WaitOwner owner;
    public final Exchange exchange;
    public final AsyncCallback callback;
    /** When the wait was registered (component clock): what the wait-duration timer and the dev console measure from. */
    public final long startedAt;
    final long hardDeadline;
    public volatile long deadline;
    /** {@code null} while pending. */
    private volatile WaitOutcome outcome;
    private OutboundRequest unsubscribe;
    private boolean unsubscribeWanted;
    /** The subscribe request was answered, or failed for good: whether there is a request to unsubscribe is known. */
    private boolean subscribeOver;

    public PendingWait(String id, WaitOwner owner, Exchange exchange, AsyncCallback callback, long startedAt, long deadline,
                long hardDeadline) {
        this.id = id;
        this.owner = owner;
        this.exchange = exchange;
        this.callback = callback;
        this.startedAt = startedAt;
        this.deadline = Math.min(deadline, hardDeadline);
        this.hardDeadline = hardDeadline;
    }

    /** @return true for exactly one caller: the one that now owns the exchange */
    boolean tryFinish(WaitOutcome outcome) {
        return OUTCOME.compareAndSet(this, null, outcome);
    }

    /** Gives the wait back its pending state: the store refused the outcome that {@link #tryFinish} set. */
    void revert(WaitOutcome outcome) {
        OUTCOME.compareAndSet(this, outcome, null);
    }

    public boolean isPending() {
        return outcome == null;
    }

    /** How the wait ended, or {@code null} while it is pending. */
    public WaitOutcome outcome() {
        return outcome;
    }

    EndpointStatistics statistics() {
        return owner.statistics();
    }

    /**
     * The subscribe request returned: keeps the unsubscribe request, unless the wait already ended and wants it, in
     * which case the caller must unsubscribe now (the callback came before the subscribe response).
     *
     * @return the request to send now, or {@code null}
     */
    public synchronized OutboundRequest subscribed(OutboundRequest request) {
        subscribeOver = true;
        if (unsubscribeWanted) {
            return request;
        }
        this.unsubscribe = request;
        return null;
    }

    /**
     * The subscribe request failed for good: there is nothing to unsubscribe.
     *
     * @return whether the wait ended and asked to unsubscribe before
     */
    public synchronized boolean subscribeFailed() {
        subscribeOver = true;
        return unsubscribeWanted;
    }

    /** Whether the wait ended and asked to unsubscribe ({@link #takeUnsubscribe}). */
    public synchronized boolean isUnsubscribeWanted() {
        return unsubscribeWanted;
    }

    /** Whether the subscribe request was answered or failed for good, so that the unsubscribe request is known. */
    public synchronized boolean isSubscribeOver() {
        return subscribeOver;
    }

    /**
     * The wait ended and should unsubscribe: takes the unsubscribe request, or, when the subscribe response has not come
     * yet, asks {@link #subscribed} to hand it over instead.
     *
     * @return the request to send now, or {@code null}
     */
    public synchronized OutboundRequest takeUnsubscribe() {
        unsubscribeWanted = true;
        OutboundRequest request = unsubscribe;
        unsubscribe = null;
        return request;
    }

    @Override
    public String endpointName() {
        return owner.name();
    }

    @Override
    public String waitId() {
        return id;
    }

    @Override
    public long deadline() {
        return deadline;
    }

    @Override
    public long startedAt() {
        return startedAt;
    }
}

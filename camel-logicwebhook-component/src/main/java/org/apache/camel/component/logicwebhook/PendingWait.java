package org.apache.camel.component.logicwebhook;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;

/**
 * One exchange suspended in the action until its callback, its timeout or a cancel. Kept small: there can be many
 * thousands of these at once. The first party to move {@link #state} away from {@link #PENDING} owns the exchange and
 * is the only one that calls its callback.
 */
final class PendingWait {

    static final int PENDING = 0;
    static final int COMPLETED = 1;
    static final int FAILED = 2;
    static final int TIMED_OUT = 3;
    static final int CANCELLED = 4;

    private static final AtomicIntegerFieldUpdater<PendingWait> STATE
            = AtomicIntegerFieldUpdater.newUpdater(PendingWait.class, "state");

    final String id;
    final LogicWebhookProducer producer;
    final Exchange exchange;
    final AsyncCallback callback;
    /** When the wait was registered (component clock): what the wait-duration timer and the dev console measure from. */
    final long startedAt;
    final long hardDeadline;
    volatile long deadline;
    private volatile int state;
    private OutboundRequest unsubscribe;
    private boolean unsubscribeWanted;

    PendingWait(String id, LogicWebhookProducer producer, Exchange exchange, AsyncCallback callback, long startedAt,
                long deadline, long hardDeadline) {
        this.id = id;
        this.producer = producer;
        this.exchange = exchange;
        this.callback = callback;
        this.startedAt = startedAt;
        this.deadline = Math.min(deadline, hardDeadline);
        this.hardDeadline = hardDeadline;
    }

    /** @return true for exactly one caller: the one that now owns the exchange */
    boolean tryFinish(int outcome) {
        return STATE.compareAndSet(this, PENDING, outcome);
    }

    int state() {
        return state;
    }

    EndpointStatistics statistics() {
        return producer.getEndpoint().getStatistics();
    }

    /**
     * The subscribe request returned: keeps the unsubscribe request, unless the wait already ended and wants it, in
     * which case the caller must unsubscribe now (the callback came before the subscribe response).
     *
     * @return the request to send now, or {@code null}
     */
    synchronized OutboundRequest subscribed(OutboundRequest request) {
        if (unsubscribeWanted) {
            return request;
        }
        this.unsubscribe = request;
        return null;
    }

    /**
     * The wait ended and should unsubscribe: takes the unsubscribe request, or, when the subscribe response has not come
     * yet, asks {@link #subscribed} to hand it over instead.
     *
     * @return the request to send now, or {@code null}
     */
    synchronized OutboundRequest takeUnsubscribe() {
        unsubscribeWanted = true;
        OutboundRequest request = unsubscribe;
        unsubscribe = null;
        return request;
    }
}

package org.apache.camel.component.logicwebhook.wait;

import java.util.concurrent.CompletableFuture;

import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.component.logicwebhook.store.StoredWait;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;

/**
 * The action a wait belongs to (its producer): what the registry calls back when the wait times out or is cancelled,
 * where it counts, and, with a durable store, who resumes the orphans of its endpoint name.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public interface WaitOwner {

    /** The endpoint name (a callback path names it). */
    String name();

    EndpointStatistics statistics();

    /** The wait timed out, and the caller owns it now; runs on the worker pool. */
    void onTimeout(PendingWait wait);

    /** The wait was cancelled (its route or the context stops), and the caller owns it now; runs on the worker pool. */
    void onCancel(PendingWait wait, String reason);

    /**
     * Another node took the wait's callback (it reached that node): the exchange here continues with what the store
     * kept of it, or fails as the failure callback says; runs on the worker pool.
     */
    void resumeFromStore(PendingWait wait, StoredWait stored);

    /** A durable store keeps the wait beyond this stop: the exchange here ends; runs on the worker pool. */
    void onHandedOver(PendingWait wait);

    /**
     * Sends an unsubscribe request of one of its waits (with its retries, in the background).
     *
     * @param  trackingId the x-ms-client-tracking-id: the exchange id of a live wait, the wait id of an orphan
     * @return            completes when it is over: true when answered or failed for good, false when the application's
     *                    stop cut it short
     */
    CompletableFuture<Boolean> unsubscribe(String waitId, String trackingId, OutboundRequest request);

    /**
     * Sends an orphan's unsubscribe request as the store kept it: without the headers whose names are taken for secrets,
     * which the endpoint's own options give back.
     *
     * @param  again whether it may have been sent before (by a node that crashed): a 404 or 410 then means it was
     * @return       as {@link #unsubscribe}
     */
    CompletableFuture<Boolean> unsubscribeOrphan(String waitId, OutboundRequest stored, boolean again);

    /** Whether its endpoint unsubscribes once a callback came. */
    boolean unsubscribesOnCallback();

    /** Whether its endpoint has a {@code resumeUri}, where the outcome of an orphan goes. */
    boolean resumesOrphans();

    /**
     * Delivers a finished orphan (a wait whose exchange is gone) to the {@code resumeUri}: an exchange rebuilt from the
     * wait's snapshot, with what its callback carried or the exception the live exchange would have had.
     *
     * @throws Exception when the {@code resumeUri} route failed: the delivery is tried again later
     */
    void resumeOrphan(StoredWait wait) throws Exception;
}

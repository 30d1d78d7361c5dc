package org.apache.camel.component.logicwebhook.wait;

import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;

/**
 * The action a wait belongs to: what the registry calls back when the wait times out, and where it counts.
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

    /** Sends the wait's unsubscribe request (with its retries, in the background). */
    void unsubscribe(PendingWait wait, OutboundRequest request);
}

package org.apache.camel.component.logicwebhook;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Suspendable;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP Webhook trigger: its callback path goes live, then it subscribes; every callback becomes an exchange; on stop
 * it unsubscribes, then its path goes down. Suspend and resume unsubscribe and subscribe again (Logic Apps' disable and
 * enable), and callbacks meanwhile are answered 503.
 */
public class LogicWebhookConsumer extends DefaultConsumer implements Suspendable {

    private static final Logger LOG = LoggerFactory.getLogger(LogicWebhookConsumer.class);

    /** Where a trigger's subscription stands; only {@link #SUBSCRIBED} is ready. */
    public enum SubscriptionState {
        /** Not started, or stopped: the trigger holds no subscription. */
        STOPPED,
        /** The subscribe request (or its retries) is under way. */
        SUBSCRIBING,
        /** The service accepted the subscription. */
        SUBSCRIBED,
        /** Subscribing or renewing failed and the trigger gave up for now; see the last error. */
        FAILED,
        /** The service refused the subscription (a WebSub hub sent hub.mode=denied). */
        DENIED,
        /** The route is suspended: the trigger unsubscribed and takes no callbacks. */
        SUSPENDED
    }

    private volatile OutboundRequest unsubscribeRequest;
    private volatile SubscriptionState state = SubscriptionState.STOPPED;
    private volatile String lastError;
    private volatile long subscribedAt;
    private volatile long leaseExpiresAt;

    public LogicWebhookConsumer(LogicWebhookEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public LogicWebhookEndpoint getEndpoint() {
        return (LogicWebhookEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        CallbackDispatcher dispatcher = getEndpoint().getComponent().getDispatcher();
        dispatcher.register(this);
        try {
            subscribe();
        } catch (Exception e) {
            dispatcher.unregister(this);
            throw e;
        }
    }

    @Override
    protected void doStop() throws Exception {
        unsubscribe();
        state = SubscriptionState.STOPPED;
        getEndpoint().getComponent().getDispatcher().unregister(this);
        super.doStop();
    }

    @Override
    protected void doSuspend() throws Exception {
        unsubscribe();
        state = SubscriptionState.SUSPENDED;
    }

    @Override
    protected void doResume() throws Exception {
        subscribe();
    }

    private void subscribe() throws Exception {
        LogicWebhookEndpoint endpoint = getEndpoint();
        SubscriptionClient client = endpoint.getClient();
        Exchange scratch = endpoint.createExchange();
        endpoint.setCallbackVariables(scratch, null);
        OutboundRequest request = client.subscribeRequest(scratch);
        endpoint.getComponent().getDispatcher().getHandshake().subscribing(endpoint.getName());
        state = SubscriptionState.SUBSCRIBING;
        SubscriptionClient.Response response;
        try {
            response = client.send(request, endpoint.getName(), trackingId());
        } catch (LogicWebhookSubscriptionException e) {
            state = SubscriptionState.FAILED;
            lastError = e.getMessage();
            endpoint.getStatistics().subscribeFailed(e.getMessage(), endpoint.getComponent().getClock().millis());
            throw e;
        }
        unsubscribeRequest = client.unsubscribeRequest(scratch, response);
        state = SubscriptionState.SUBSCRIBED;
        subscribedAt = endpoint.getComponent().getClock().millis();
        LOG.info("Trigger {} subscribed with {} {} (answered {}); callbacks go to {}?sig=…", endpoint.getName(),
                request.method(), request.safeUri(), response.status(), endpoint.callbackPrefix(endpoint.getName()));
        if (unsubscribeRequest == null) {
            LOG.info("Trigger {} has no unsubscribeUri: it will not unsubscribe when it stops", endpoint.getName());
        }
    }

    private void unsubscribe() {
        OutboundRequest request = unsubscribeRequest;
        unsubscribeRequest = null;
        if (request != null) {
            LogicWebhookEndpoint endpoint = getEndpoint();
            endpoint.getComponent().getDispatcher().getHandshake().unsubscribing(endpoint, endpoint.getName());
            getEndpoint().getClient().unsubscribe(request, getEndpoint().getName(), trackingId());
        }
    }

    /**
     * A WebSub hub verified the subscription and granted a lease of this many seconds.
     */
    void leaseGranted(long leaseSeconds) {
        // lease renewal (issue 6) schedules the renewal from this
        leaseExpiresAt = getEndpoint().getComponent().getClock().millis() + leaseSeconds * 1000;
    }

    /** The service refused the subscription (a WebSub hub's hub.mode=denied, with its hub.reason). */
    void subscriptionDenied(String reason) {
        state = SubscriptionState.DENIED;
        lastError = "the service denied the subscription" + (reason == null ? "" : ": " + reason);
        LOG.warn("Trigger {}: {}", getEndpoint().getName(), lastError);
    }

    public SubscriptionState getSubscriptionState() {
        return state;
    }

    /** Why the trigger is not subscribed, or why its last subscribe, renewal or unsubscribe failed; may be null. */
    public String getLastError() {
        return lastError;
    }

    /** When the service last accepted the subscription (component clock, epoch millis); 0 if never. */
    public long getSubscribedAt() {
        return subscribedAt;
    }

    /** When the subscription's lease ends (component clock, epoch millis); 0 when it has none known. */
    public long getLeaseExpiresAt() {
        return leaseExpiresAt;
    }

    private String trackingId() {
        return getEndpoint().getCamelContext().getName() + "/" + getEndpoint().getName();
    }

    /** Runs the route for one callback and answers the sender: 202 when the route succeeded, 500 so it retries if not. */
    void onCallback(Exchange httpExchange, CallbackRequest request) {
        Message answer = httpExchange.getMessage();
        if (!isRunAllowed() || isSuspendingOrSuspended()) {
            CallbackDispatcher.respond(answer, 503, "trigger is not running; retry later");
            return;
        }
        if (!getEndpoint().allowsMethod(request.method)) {
            CallbackDispatcher.respondNotAllowed(answer, getEndpoint().getConfiguration().getCallbackMethods());
            return;
        }
        if (!getEndpoint().acceptsPayload(answer, request)) {
            return;
        }
        Exchange exchange = createExchange(false);
        try {
            Message message = exchange.getMessage();
            message.setHeaders(request.headers(answer, getEndpoint().getName()));
            message.setBody(request.body);
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        try {
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("Error processing a logicwebhook callback", exchange,
                        exchange.getException());
                getEndpoint().forgetPayload(answer);
                CallbackDispatcher.respond(answer, 500, "callback could not be processed; retry later");
            } else {
                CallbackDispatcher.respond(answer, 202, null);
            }
        } finally {
            releaseExchange(exchange, false);
        }
    }
}

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

    private volatile OutboundRequest unsubscribeRequest;

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
        getEndpoint().getComponent().getDispatcher().unregister(this);
        super.doStop();
    }

    @Override
    protected void doSuspend() throws Exception {
        unsubscribe();
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
        SubscriptionClient.Response response = client.send(request, endpoint.getName(), trackingId());
        unsubscribeRequest = client.unsubscribeRequest(scratch, response);
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
            getEndpoint().getClient().unsubscribe(request, getEndpoint().getName(), trackingId());
        }
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

package org.apache.camel.component.logicwebhook;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP Webhook action. Each exchange gets its own signed callback URL, its wait is registered, and only then does
 * the subscribe request go out; the exchange is then suspended without a thread until its callback, its timeout or a
 * cancel, whichever comes first, completes it.
 */
public class LogicWebhookProducer extends DefaultAsyncProducer {

    private static final Logger LOG = LoggerFactory.getLogger(LogicWebhookProducer.class);

    private volatile boolean announced;

    public LogicWebhookProducer(LogicWebhookEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public LogicWebhookEndpoint getEndpoint() {
        return (LogicWebhookEndpoint) super.getEndpoint();
    }

    private WaitRegistry registry() {
        return getEndpoint().getComponent().getWaitRegistry();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // while the context starts, its HTTP server may not be up yet: the first exchange makes the path live then
        if (getEndpoint().getCamelContext().isStarted()) {
            getEndpoint().getComponent().getDispatcher().ensureServing();
        }
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if (!isRunAllowed() || getEndpoint().getCamelContext().isStopping()) {
            exchange.setException(new RejectedExecutionException(
                    "logicwebhook:" + getEndpoint().getName() + " is stopping and takes no new waits"));
            callback.done(true);
            return true;
        }
        LogicWebhookEndpoint endpoint = getEndpoint();
        SubscriptionClient client = endpoint.getClient();
        WaitRegistry registry = registry();
        String id = WaitRegistry.newId();
        OutboundRequest request;
        Exchange scratch;
        try {
            endpoint.getComponent().getDispatcher().ensureServing();
            endpoint.setCallbackVariables(exchange, id);
            exchange.getMessage().setHeader(LogicWebhookConstants.CALLBACK_URL,
                    exchange.getVariable(LogicWebhookConstants.VAR_CALLBACK_URL));
            announce(endpoint);
            request = client.subscribeRequest(exchange);
            // the unsubscribe templates see the exchange as it subscribed, once the exchange may be moving on
            scratch = client.hasUnsubscribe() ? exchange.copy() : null;
            // only the templates need these: a wait should not carry them (the callback URL stays, as a header)
            endpoint.removeTemplateVariables(exchange);
        } catch (Exception e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }

        PendingWait wait = newWait(id, exchange, callback, registry.now());
        registry.register(wait);
        // retries run until the wait's own deadline, and stop once the wait ended (a timeout, a cancel, its callback)
        CompletableFuture<SubscriptionClient.Response> subscribed = client.sendWithRetries(request, endpoint.getName(),
                exchange.getExchangeId(), wait.deadline, () -> wait.state() == PendingWait.PENDING, e -> {
                });
        if (subscribed.isDone()) {
            return onSubscribed(wait, scratch, subscribed, true);
        }
        subscribed.whenComplete((response, failure) -> onSubscribed(wait, scratch, subscribed, false));
        return false;
    }

    /**
     * The subscribe request (and its retries) ended: keep how to unsubscribe, or fail the exchange when the wait is still
     * ours.
     *
     * @return whether the exchange was completed on the caller's thread (the value for {@link #process})
     */
    private boolean onSubscribed(
            PendingWait wait, Exchange scratch, CompletableFuture<SubscriptionClient.Response> subscribed, boolean sync) {
        LogicWebhookEndpoint endpoint = getEndpoint();
        WaitRegistry registry = registry();
        SubscriptionClient.Response response;
        try {
            response = subscribed.join();
        } catch (CompletionException e) {
            Throwable failure = e.getCause() != null ? e.getCause() : e;
            if (registry.abandon(wait)) {
                // not counted when the wait ended first and called its retries off
                endpoint.getStatistics().subscribeFailed(failure.getMessage(), registry.now());
                wait.exchange.setException(failure);
                wait.callback.done(sync);
                return sync;
            }
            // the wait ended meanwhile (a timeout or a cancel); whoever ended it completes the exchange
            return false;
        }
        OutboundRequest unsubscribe = null;
        if (scratch != null) {
            try {
                unsubscribe = endpoint.getClient().unsubscribeRequest(scratch, response);
            } catch (Exception e) {
                LOG.warn("logicwebhook:{} cannot resolve its unsubscribe request, so it will not unsubscribe: {}",
                        endpoint.getName(), e.getMessage());
            }
        }
        OutboundRequest unsubscribeNow = wait.subscribed(unsubscribe);
        if (unsubscribeNow != null) {
            // the callback came before the subscribe response: unsubscribe now that we know how
            registry.execute(() -> unsubscribe(wait, unsubscribeNow));
        }
        return false;
    }

    /** A wrong base URL is the most common mistake: say once which URLs are handed out (without their signature). */
    private void announce(LogicWebhookEndpoint endpoint) {
        if (!announced) {
            announced = true;
            LOG.info("Action {} hands out callback URLs such as {}/…?sig=…", endpoint.getName(),
                    endpoint.callbackPrefix(endpoint.getName()));
        }
    }

    private PendingWait newWait(String id, Exchange exchange, AsyncCallback callback, long now) {
        LogicWebhookConfiguration configuration = getEndpoint().getConfiguration();
        long timeout = configuration.getTimeout();
        long deadline = timeout > 0 ? now + timeout : Long.MAX_VALUE;
        long hardDeadline = timeout > 0 && configuration.getMaxTimeout() > 0
                ? now + Math.max(timeout, configuration.getMaxTimeout()) : Long.MAX_VALUE;
        return new PendingWait(id, this, exchange, callback, now, deadline, hardDeadline);
    }

    /** A callback request for a wait: resume, fail or heartbeat, and the answer to its sender. */
    static void onCallback(WaitRegistry registry, Exchange httpExchange, CallbackRequest request) {
        Message answer = httpExchange.getMessage();
        PendingWait wait = registry.get(request.id);
        if (wait == null) {
            respondFinished(answer, registry.finishedOutcome(request.id));
        } else if (!wait.producer.getEndpoint().getName().equals(request.name)) {
            CallbackDispatcher.respond(answer, 404, "unknown callback");
        } else {
            wait.producer.onCallback(wait, answer, request);
        }
    }

    private void onCallback(PendingWait wait, Message answer, CallbackRequest request) {
        LogicWebhookEndpoint endpoint = getEndpoint();
        if (!endpoint.allowsMethod(request.method)) {
            CallbackDispatcher.respondNotAllowed(answer, endpoint.getConfiguration().getCallbackMethods());
            return;
        }
        if (!endpoint.acceptsPayload(answer, request)) {
            return;
        }
        WaitRegistry registry = registry();
        if (CallbackRequest.HEARTBEAT.equals(request.kind)) {
            if (registry.extend(wait, endpoint.getConfiguration().getTimeout())) {
                CallbackDispatcher.respond(answer, 202, null);
            } else {
                respondFinished(answer, wait.state());
            }
            return;
        }
        Object body = request.body;
        if (endpoint.getConfiguration().isJsonBody() && request.body.length > 0) {
            try {
                body = RequestTemplate.JSON.readValue(request.body, Object.class);
            } catch (Exception e) {
                // the wait goes on: a corrected retry still resumes it
                endpoint.forgetPayload(answer);
                CallbackDispatcher.respond(answer, 400, "body is not valid JSON");
                return;
            }
        }
        Map<String, Object> headers = request.headers(answer, endpoint.getName());
        boolean failure = CallbackRequest.FAIL.equals(request.kind);
        if (!registry.finish(wait, failure ? PendingWait.FAILED : PendingWait.COMPLETED)) {
            respondFinished(answer, wait.state());
            return;
        }
        CallbackDispatcher.respond(answer, 200, null);
        Object payload = body;
        int status = failure ? failureStatus(request) : 200;
        registry.execute(() -> resume(wait, payload, headers, failure, status));
    }

    private void resume(PendingWait wait, Object body, Map<String, Object> headers, boolean failure, int status) {
        Exchange exchange = wait.exchange;
        if (failure) {
            exchange.setException(new LogicWebhookCallbackFailedException(
                    "logicwebhook:" + getEndpoint().getName() + " was called back on its failure URL with status "
                                                                           + status,
                    exchange, body, headers, status));
        } else {
            Message message = exchange.getMessage();
            message.setBody(body);
            message.getHeaders().putAll(headers);
            message.setHeader(LogicWebhookConstants.STATUS_CODE, status);
        }
        if (getEndpoint().getConfiguration().isUnsubscribeOnCallback()) {
            OutboundRequest unsubscribe = wait.takeUnsubscribe();
            if (unsubscribe != null) {
                registry().execute(() -> unsubscribe(wait, unsubscribe));
            }
        }
        wait.callback.done(false);
    }

    /** Runs on the worker pool: unsubscribe first, then fail the exchange, as Logic Apps does on a step timeout. */
    void onTimeout(PendingWait wait) {
        OutboundRequest unsubscribe = wait.takeUnsubscribe();
        if (unsubscribe != null) {
            unsubscribe(wait, unsubscribe);
        }
        // how long it waited in all, heartbeats included
        long waited = wait.deadline - wait.startedAt;
        wait.exchange.setException(new ExchangeTimedOutException(
                wait.exchange, waited, "to no callback for logicwebhook:" + getEndpoint().getName()));
        wait.callback.done(false);
    }

    /** A WebSub hub refused the wait's subscription: the exchange fails now rather than at its timeout. */
    void onDenied(PendingWait wait, String reason) {
        if (registry().finish(wait, PendingWait.FAILED)) {
            registry().execute(() -> {
                wait.exchange.setException(new LogicWebhookSubscriptionException(
                        "logicwebhook:" + getEndpoint().getName() + ": the service denied the subscription"
                                                                                  + (reason == null ? "" : ": " + reason),
                        0, reason, null));
                wait.callback.done(false);
            });
        }
    }

    private void onCancel(PendingWait wait, String reason) {
        wait.exchange.setException(new LogicWebhookCancelledException(
                "logicwebhook:" + getEndpoint().getName() + " stopped waiting for its callback: " + reason,
                wait.exchange));
        wait.callback.done(false);
    }

    private void unsubscribe(PendingWait wait, OutboundRequest request) {
        getEndpoint().getComponent().getDispatcher().getHandshake().unsubscribing(getEndpoint(),
                getEndpoint().getName() + "/" + wait.id);
        getEndpoint().getClient().unsubscribe(request, getEndpoint().getName(), wait.exchange.getExchangeId());
    }

    /**
     * Fails every wait of a producer (of all producers when {@code null}) on the worker pool, so that a stopping route
     * or context does not wait for callbacks that may never come.
     */
    static void cancel(WaitRegistry registry, LogicWebhookProducer producer, String reason) {
        List<PendingWait> cancelled = registry.cancelAll(producer);
        if (!cancelled.isEmpty()) {
            LOG.info("Cancelling {} pending logicwebhook wait(s): {}", cancelled.size(), reason);
        }
        // every exchange fails first, so that a stop waits for no unsubscribe; the unsubscribes queue behind
        for (PendingWait wait : cancelled) {
            registry.execute(() -> wait.producer.onCancel(wait, reason));
        }
        for (PendingWait wait : cancelled) {
            registry.execute(() -> {
                OutboundRequest unsubscribe = wait.takeUnsubscribe();
                if (unsubscribe != null) {
                    wait.producer.unsubscribe(wait, unsubscribe);
                }
            });
        }
    }

    /**
     * A route that stops alone first waits for its in-flight exchanges (Camel's graceful shutdown, which gives a
     * producer no earlier hook); its producer then stops, and its waits are cancelled here.
     */
    @Override
    protected void doStop() throws Exception {
        cancel(registry(), this, "its route or endpoint is stopping");
        super.doStop();
    }

    private static int failureStatus(CallbackRequest request) {
        Object status = request.queryParameter("status");
        if (status != null) {
            try {
                int code = Integer.parseInt(status.toString());
                if (code >= 400 && code <= 599) {
                    return code;
                }
            } catch (NumberFormatException e) {
                // not a status: the default applies
            }
        }
        return 500;
    }

    private static void respondFinished(Message answer, Integer outcome) {
        if (outcome == null) {
            CallbackDispatcher.respond(answer, 404, "unknown callback");
        } else if (outcome == PendingWait.COMPLETED || outcome == PendingWait.FAILED) {
            CallbackDispatcher.respond(answer, 409, "callback already received");
        } else {
            CallbackDispatcher.respond(answer, 410, "wait timed out or was cancelled");
        }
    }
}

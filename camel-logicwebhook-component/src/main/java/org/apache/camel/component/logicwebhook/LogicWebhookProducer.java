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
import org.apache.camel.component.logicwebhook.callback.CallbackAnswer;
import org.apache.camel.component.logicwebhook.callback.CallbackHandler;
import org.apache.camel.component.logicwebhook.callback.CallbackRequest;
import org.apache.camel.component.logicwebhook.callback.PayloadSignatureVerifier;
import org.apache.camel.component.logicwebhook.callback.WaitCallbacks;
import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.component.logicwebhook.observability.WaitOutcome;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;
import org.apache.camel.component.logicwebhook.subscription.RequestTemplate;
import org.apache.camel.component.logicwebhook.subscription.SubscriptionClient;
import org.apache.camel.component.logicwebhook.wait.PendingWait;
import org.apache.camel.component.logicwebhook.wait.WaitOwner;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.apache.camel.support.DefaultAsyncProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP Webhook action. Each exchange gets its own signed callback URL, its wait is registered, and only then does
 * the subscribe request go out; the exchange is then suspended without a thread until its callback, its timeout or a
 * cancel, whichever comes first, completes it.
 */
public class LogicWebhookProducer extends DefaultAsyncProducer implements WaitOwner {

    private static final Logger LOG = LoggerFactory.getLogger(LogicWebhookProducer.class);

    private static final CallbackAnswer INVALID_JSON = CallbackAnswer.of(400, "body is not valid JSON");
    private static final CallbackAnswer ALREADY_RECEIVED = CallbackAnswer.of(409, "callback already received");
    private static final CallbackAnswer GONE = CallbackAnswer.of(410, "wait timed out or was cancelled");

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
                exchange.getExchangeId(), wait.deadline, wait::isPending, e -> {
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

    @Override
    public String name() {
        return getEndpoint().getName();
    }

    @Override
    public EndpointStatistics statistics() {
        return getEndpoint().getStatistics();
    }

    /** Finds the action's waits for the dispatcher. */
    static WaitCallbacks callbacks(WaitRegistry registry) {
        return new WaitCallbacks() {
            @Override
            public CallbackHandler pending(String name, String id) {
                PendingWait wait = registry.get(id);
                return wait != null && wait.isPending() && wait.owner.name().equals(name)
                        // every wait's owner is the producer that made it
                        ? ((LogicWebhookProducer) wait.owner).new ActionCallback(wait) : null;
            }

            @Override
            public CallbackAnswer notPending(String name, String id) {
                PendingWait wait = registry.get(id);
                if (wait != null && !wait.owner.name().equals(name)) {
                    return CallbackAnswer.UNKNOWN;
                }
                return finishedAnswer(wait != null ? wait.outcome() : registry.finishedOutcome(id));
            }
        };
    }

    /** A callback for one pending wait: resume, fail or heartbeat. */
    private final class ActionCallback implements CallbackHandler {
        private final PendingWait wait;

        ActionCallback(PendingWait wait) {
            this.wait = wait;
        }

        @Override
        public LogicWebhookConfiguration configuration() {
            return getEndpoint().getConfiguration();
        }

        @Override
        public PayloadSignatureVerifier payloadVerifier() {
            return getEndpoint().getPayloadVerifier();
        }

        @Override
        public boolean wantsSubscription() {
            return true;
        }

        @Override
        public void subscriptionDenied(String reason) {
            LOG.warn("logicwebhook:{}: the hub denied the subscription of a wait{}", name(),
                    reason == null ? "" : ": " + reason);
            onDenied(wait, reason);
        }

        @Override
        public CallbackAnswer onCallback(CallbackRequest request) {
            return LogicWebhookProducer.this.onCallback(wait, request);
        }
    }

    private CallbackAnswer onCallback(PendingWait wait, CallbackRequest request) {
        LogicWebhookEndpoint endpoint = getEndpoint();
        WaitRegistry registry = registry();
        if (CallbackRequest.HEARTBEAT.equals(request.kind)) {
            return registry.extend(wait, endpoint.getConfiguration().getTimeout())
                    ? CallbackAnswer.ACCEPTED : finishedAnswer(wait.outcome());
        }
        Object body = request.body;
        if (endpoint.getConfiguration().isJsonBody() && request.body.length > 0) {
            try {
                body = RequestTemplate.JSON.readValue(request.body, Object.class);
            } catch (Exception e) {
                // the wait goes on: a corrected retry still resumes it
                return INVALID_JSON;
            }
        }
        Map<String, Object> headers = request.headers(endpoint.getName());
        boolean failure = CallbackRequest.FAIL.equals(request.kind);
        if (!registry.finish(wait, failure ? WaitOutcome.FAILED : WaitOutcome.COMPLETED)) {
            return finishedAnswer(wait.outcome());
        }
        Object payload = body;
        int status = failure ? failureStatus(request) : 200;
        registry.execute(() -> resume(wait, payload, headers, failure, status));
        return CallbackAnswer.OK;
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
    @Override
    public void onTimeout(PendingWait wait) {
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
    private void onDenied(PendingWait wait, String reason) {
        if (registry().finish(wait, WaitOutcome.FAILED)) {
            registry().execute(() -> {
                wait.exchange.setException(new LogicWebhookSubscriptionException(
                        "logicwebhook:" + getEndpoint().getName() + ": the service denied the subscription"
                                                                                  + (reason == null ? "" : ": " + reason),
                        0, reason, null));
                wait.callback.done(false);
            });
        }
    }

    @Override
    public void onCancel(PendingWait wait, String reason) {
        wait.exchange.setException(new LogicWebhookCancelledException(
                "logicwebhook:" + getEndpoint().getName() + " stopped waiting for its callback: " + reason,
                wait.exchange));
        wait.callback.done(false);
    }

    @Override
    public void unsubscribe(PendingWait wait, OutboundRequest request) {
        getEndpoint().getComponent().getDispatcher().getHandshake().unsubscribing(getEndpoint().getConfiguration(),
                getEndpoint().getName() + "/" + wait.id);
        getEndpoint().getClient().unsubscribe(request, getEndpoint().getName(), wait.exchange.getExchangeId());
    }

    /**
     * A route that stops alone first waits for its in-flight exchanges (Camel's graceful shutdown, which gives a
     * producer no earlier hook); its producer then stops, and its waits are cancelled here.
     */
    @Override
    protected void doStop() throws Exception {
        registry().cancel(this, "its route or endpoint is stopping");
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

    /** The answer to a callback for a wait that ended this way ({@code null}: unknown). */
    private static CallbackAnswer finishedAnswer(WaitOutcome outcome) {
        if (outcome == null) {
            return CallbackAnswer.UNKNOWN;
        }
        return outcome == WaitOutcome.COMPLETED || outcome == WaitOutcome.FAILED ? ALREADY_RECEIVED : GONE;
    }
}

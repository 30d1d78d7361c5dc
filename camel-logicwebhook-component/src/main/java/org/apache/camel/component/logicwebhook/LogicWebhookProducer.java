package org.apache.camel.component.logicwebhook;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.logicwebhook.callback.CallbackAnswer;
import org.apache.camel.component.logicwebhook.callback.CallbackHandler;
import org.apache.camel.component.logicwebhook.callback.CallbackRequest;
import org.apache.camel.component.logicwebhook.callback.PayloadSignatureVerifier;
import org.apache.camel.component.logicwebhook.callback.WaitCallbacks;
import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.component.logicwebhook.observability.WaitOutcome;
import org.apache.camel.component.logicwebhook.store.StoredWait;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;
import org.apache.camel.component.logicwebhook.subscription.RequestTemplate;
import org.apache.camel.component.logicwebhook.subscription.SubscriptionClient;
import org.apache.camel.component.logicwebhook.wait.CallbackResult;
import org.apache.camel.component.logicwebhook.wait.ExchangeSnapshot;
import org.apache.camel.component.logicwebhook.wait.PendingWait;
import org.apache.camel.component.logicwebhook.wait.WaitOwner;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.util.CaseInsensitiveMap;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP Webhook action. Each exchange gets its own signed callback URL, its wait is registered, and only then does
 * the subscribe request go out; the exchange is then suspended without a thread until its callback, its timeout or a
 * cancel, whichever comes first, completes it.
 */
public class LogicWebhookProducer extends DefaultAsyncProducer implements WaitOwner {

    private static final Logger LOG = LoggerFactory.getLogger(LogicWebhookProducer.class);

    private volatile boolean announced;
    /** Sends orphans to the resumeUri; only when the endpoint has one. */
    private volatile ProducerTemplate resumeTemplate;

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
        if (ObjectHelper.isNotEmpty(getEndpoint().getConfiguration().getResumeUri())) {
            resumeTemplate = getEndpoint().getCamelContext().createProducerTemplate();
            ServiceHelper.startService(resumeTemplate);
        }
        registry().ownerStarted(this);
        // while the context starts, its HTTP server may not be up yet: the first exchange makes the path live then
        if (getEndpoint().getCamelContext().isStarted()) {
            getEndpoint().getComponent().getDispatcher().ensureServing();
        }
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if (!isRunAllowed() || getEndpoint().getCamelContext().isStopping()
                || getEndpoint().getComponent().noNewWaits() != null) {
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
        String snapshot;
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
            snapshot = snapshot(exchange, registry);
        } catch (Exception e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }

        PendingWait wait = newWait(id, exchange, callback, registry.now());
        try {
            registry.register(wait, snapshot);
        } catch (LogicWebhookStoreException e) {
            // without its record a wait could not survive a restart: fail now, before anything was subscribed
            exchange.setException(e);
            callback.done(true);
            return true;
        }
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
            if (wait.subscribeFailed()) {
                // the wait ended meanwhile and asked to unsubscribe: there is nothing to
                registry.unsubscribed(wait);
            }
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
        registry.subscribed(wait, unsubscribe);
        OutboundRequest unsubscribeNow = wait.subscribed(unsubscribe);
        if (unsubscribeNow != null) {
            // the callback came before the subscribe response: unsubscribe now that we know how
            registry.execute(() -> registry.send(wait, unsubscribeNow));
        } else if (unsubscribe == null && wait.isUnsubscribeWanted()) {
            // it asked to unsubscribe, and there is nothing to
            registry.unsubscribed(wait);
        }
        return false;
    }

    /**
     * The exchange as it begins to wait, kept with the wait for its resumeUri, should this JVM be gone when the callback
     * comes: only with a durable store and a resumeUri.
     */
    private String snapshot(Exchange exchange, WaitRegistry registry) {
        LogicWebhookConfiguration configuration = getEndpoint().getConfiguration();
        if (!registry.store().isDurable() || ObjectHelper.isEmpty(configuration.getResumeUri())) {
            return null;
        }
        return ExchangeSnapshot.of(exchange, names(configuration.getSnapshotHeaders()),
                names(configuration.getSnapshotVariables()), getEndpoint().getComponent().getMaxSnapshotSize());
    }

    private static List<String> names(String commaSeparated) {
        return commaSeparated == null ? List.of()
                : Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(name -> !name.isEmpty()).toList();
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

    /**
     * A callback for one of its pending waits: resume, fail or heartbeat. Runs on the thread the dispatcher gives it.
     */
    CallbackAnswer onCallback(PendingWait wait, CallbackRequest request) {
        LogicWebhookEndpoint endpoint = getEndpoint();
        WaitRegistry registry = registry();
        if (CallbackRequest.HEARTBEAT.equals(request.kind)) {
            return registry.extend(wait, endpoint.getConfiguration().getTimeout())
                    ? CallbackAnswer.ACCEPTED : ActionCallbacks.endedAnswer(registry, wait);
        }
        Object body;
        try {
            body = callbackBody(request.body);
        } catch (IOException e) {
            // the wait goes on: a corrected retry still resumes it
            return ActionCallbacks.INVALID_JSON;
        }
        Map<String, Object> headers = request.headers(endpoint.getName());
        boolean failure = CallbackRequest.FAIL.equals(request.kind);
        if (!registry.finish(wait, failure ? WaitOutcome.FAILED : WaitOutcome.COMPLETED, null)) {
            return ActionCallbacks.endedAnswer(registry, wait);
        }
        int status = failure ? failureStatus(request) : 200;
        registry.execute(() -> resume(wait, body, headers, failure, status));
        return CallbackAnswer.OK;
    }

    /** The callback's body as the exchange gets it: parsed when the endpoint asks for JSON. */
    Object callbackBody(byte[] body) throws IOException {
        if (getEndpoint().getConfiguration().isJsonBody() && body.length > 0) {
            return RequestTemplate.JSON.readValue(body, Object.class);
        }
        return body;
    }

    private void resume(PendingWait wait, Object body, Map<String, Object> headers, boolean failure, int status) {
        applyCallback(wait.exchange, body, headers, failure, status);
        if (getEndpoint().getConfiguration().isUnsubscribeOnCallback()) {
            registry().execute(() -> registry().unsubscribe(wait));
        }
        wait.callback.done(false);
    }

    /** What a callback that the store kept does to the exchange, as {@link #applyCallback} does with a live one. */
    private void applyStoredCallback(Exchange exchange, StoredWait stored) {
        CallbackResult result = CallbackResult.fromJson(stored.result());
        Object body;
        try {
            body = callbackBody(result.body());
        } catch (IOException e) {
            body = result.body();
        }
        applyCallback(exchange, body, new CaseInsensitiveMap(result.headers()), result.failure(), result.status());
    }

    @Override
    public void resumeFromStore(PendingWait wait, StoredWait stored) {
        try {
            applyStoredCallback(wait.exchange, stored);
        } catch (RuntimeException e) {
            wait.exchange.setException(e);
        }
        if (getEndpoint().getConfiguration().isUnsubscribeOnCallback()) {
            registry().unsubscribe(wait);
        }
        wait.callback.done(false);
    }

    /** What a callback does to the exchange: its body, headers and status, or the failure it reported. */
    private void applyCallback(Exchange exchange, Object body, Map<String, Object> headers, boolean failure, int status) {
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
    }

    /** Runs on the worker pool: unsubscribe first, then fail the exchange, as Logic Apps does on a step timeout. */
    @Override
    public void onTimeout(PendingWait wait) {
        // its first attempt is made here, before the exchange fails
        registry().unsubscribe(wait);
        // how long it waited in all, heartbeats included
        wait.exchange.setException(timedOut(wait.exchange, wait.deadline - wait.startedAt));
        wait.callback.done(false);
    }

    private ExchangeTimedOutException timedOut(Exchange exchange, long waited) {
        return new ExchangeTimedOutException(exchange, waited, "to no callback for logicwebhook:" + getEndpoint().getName());
    }

    /** A WebSub hub refused the wait's subscription: the exchange fails now rather than at its timeout. */
    void onDenied(PendingWait wait, String reason) {
        boolean ours;
        try {
            ours = registry().finish(wait, WaitOutcome.FAILED, null);
        } catch (LogicWebhookStoreException e) {
            LOG.warn("logicwebhook:{}: a denied wait goes on until its timeout: {}", getEndpoint().getName(),
                    e.getMessage());
            return;
        }
        if (ours) {
            // a refused subscription has nothing to unsubscribe
            registry().unsubscribed(wait);
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
    public void onHandedOver(PendingWait wait) {
        wait.exchange.setException(new LogicWebhookHandedOverException(
                "logicwebhook:" + getEndpoint().getName() + " stopped waiting here: the wait store keeps the wait, and"
                                                                        + " its callback will be resumed in its resumeUri",
                wait.exchange));
        wait.callback.done(false);
    }

    @Override
    public CompletableFuture<Boolean> unsubscribeOrphan(String waitId, OutboundRequest stored, boolean again) {
        return unsubscribe(waitId, waitId, getEndpoint().getClient().restoreUnsubscribe(stored), again);
    }

    @Override
    public CompletableFuture<Boolean> unsubscribe(String waitId, String trackingId, OutboundRequest request) {
        return unsubscribe(waitId, trackingId, request, false);
    }

    private CompletableFuture<Boolean> unsubscribe(String waitId, String trackingId, OutboundRequest request,
            boolean again) {
        getEndpoint().getComponent().getDispatcher().getHandshake().unsubscribing(getEndpoint().getConfiguration(),
                getEndpoint().getName() + "/" + waitId);
        return getEndpoint().getClient().unsubscribe(request, getEndpoint().getName(), trackingId, again);
    }

    @Override
    public boolean unsubscribesOnCallback() {
        return getEndpoint().getConfiguration().isUnsubscribeOnCallback();
    }

    @Override
    public boolean resumesOrphans() {
        return resumeTemplate != null;
    }

    /**
     * An exchange rebuilt from the orphan's snapshot, with its header {@link LogicWebhookConstants#WAIT_ID}, and what its
     * callback carried (or the exception the live exchange would have had), sent to the resumeUri.
     */
    @Override
    public void resumeOrphan(StoredWait wait) throws Exception {
        Exchange exchange = getEndpoint().createExchange();
        ExchangeSnapshot.restore(wait.snapshot(), exchange);
        exchange.getMessage().setHeader(LogicWebhookConstants.WAIT_ID, wait.id());
        switch (WaitOutcome.valueOf(wait.state())) {
            case COMPLETED, FAILED -> applyStoredCallback(exchange, wait);
            case TIMED_OUT -> exchange.setException(timedOut(exchange, wait.deadline() - wait.createdAt()));
            default -> {
                return;
            }
        }
        Exception outcome = exchange.getException();
        resumeTemplate.send(getEndpoint().getConfiguration().getResumeUri(), exchange);
        // the outcome's own exception is what the route was given; another one is the route's failure
        if (exchange.getException() != null && exchange.getException() != outcome) {
            throw exchange.getException();
        }
    }

    /**
     * A route that stops alone first waits for its in-flight exchanges (Camel's graceful shutdown, which gives a
     * producer no earlier hook); its producer then stops, and its waits are cancelled here.
     */
    @Override
    protected void doStop() throws Exception {
        registry().ownerStopped(this);
        registry().cancel(this, "its route or endpoint is stopping");
        ServiceHelper.stopService(resumeTemplate);
        resumeTemplate = null;
        super.doStop();
    }

    static int failureStatus(CallbackRequest request) {
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

}

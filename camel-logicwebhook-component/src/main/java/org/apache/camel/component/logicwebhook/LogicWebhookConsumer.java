package org.apache.camel.component.logicwebhook;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.Suspendable;
import org.apache.camel.component.logicwebhook.callback.CallbackAnswer;
import org.apache.camel.component.logicwebhook.callback.CallbackDispatcher;
import org.apache.camel.component.logicwebhook.callback.CallbackHandler;
import org.apache.camel.component.logicwebhook.callback.CallbackRequest;
import org.apache.camel.component.logicwebhook.callback.PayloadSignatureVerifier;
import org.apache.camel.component.logicwebhook.observability.LogicWebhookTriggerHealthCheck;
import org.apache.camel.component.logicwebhook.observability.TriggerStatus;
import org.apache.camel.component.logicwebhook.store.TriggerLease;
import org.apache.camel.component.logicwebhook.subscription.DueTasks;
import org.apache.camel.component.logicwebhook.subscription.Lease;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;
import org.apache.camel.component.logicwebhook.subscription.SubscriptionClient;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP Webhook trigger: its callback path goes live, then it subscribes; every callback becomes an exchange; on stop
 * it unsubscribes, then its path goes down. Suspend and resume unsubscribe and subscribe again (Logic Apps' disable and
 * enable), and callbacks meanwhile are answered 503. While it runs, it renews its subscription before the lease that
 * the service granted ends.
 */
public class LogicWebhookConsumer extends DefaultConsumer implements Suspendable, CallbackHandler, TriggerStatus {

    private static final Logger LOG = LoggerFactory.getLogger(LogicWebhookConsumer.class);

    /** Where a trigger's subscription stands; only {@link #SUBSCRIBED} is ready. */
    public enum SubscriptionState {
        /** Not started, or stopped: the trigger holds no subscription. */
        STOPPED,
        /** The subscribe request is under way. */
        SUBSCRIBING,
        /** A subscribe or renewal failed and is being retried; see the last error. */
        RETRYING,
        /** The service accepted the subscription. */
        SUBSCRIBED,
        /**
         * A renewal failed after its retries (the trigger tries again later), or the route's start failed (until the
         * route starts again). See the last error.
         */
        FAILED,
        /** The service refused the subscription (a WebSub hub sent hub.mode=denied). */
        DENIED,
        /** The route is suspended: the trigger unsubscribed and takes no callbacks. */
        SUSPENDED
    }

    private static final CallbackAnswer NOT_RUNNING = CallbackAnswer.unavailable("trigger is not running; retry later");
    private static final CallbackAnswer ROUTE_FAILED = CallbackAnswer.of(500, "callback could not be processed; retry later");

    /** A renewal is never scheduled sooner than this after the last subscribe, whatever lease a service gives. */
    private static final long SHORTEST_RENEWAL = 1_000;

    /** Guards the subscription: a subscribe or renewal that ends after a stop must not keep what it got. */
    private final Object lock = new Object();
    /** Moves (under the lock) on each stop and suspend; a subscribe of an older generation is stale. */
    private volatile long generation;
    private OutboundRequest unsubscribeRequest;
    private DueTasks.Entry renewal;
    private volatile SubscriptionState state = SubscriptionState.STOPPED;
    private volatile String lastError;
    private volatile long subscribedAt;
    private volatile long leaseExpiresAt;
    /** The length of the last lease granted (guarded by the lock); -1 when none was. */
    private long leaseMillis = -1;
    /** A subscribe or renewal is under way (retries included): a handshake for it is answered whatever the state. */
    private volatile boolean subscribing;
    /** This node's lead of the trigger in a shared store (its epoch); untracked without one. */
    private volatile TriggerLease lead = TriggerLease.UNTRACKED;

    public LogicWebhookConsumer(LogicWebhookEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public LogicWebhookEndpoint getEndpoint() {
        return (LogicWebhookEndpoint) super.getEndpoint();
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        LogicWebhookTriggerHealthCheck check = new LogicWebhookTriggerHealthCheck(this, "consumer:" + getRouteId());
        check.setEnabled(getEndpoint().getComponent().isHealthCheckConsumerEnabled());
        setHealthCheck(check);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        CallbackDispatcher dispatcher = getEndpoint().getComponent().getDispatcher();
        dispatcher.register(getEndpoint().getName(), this);
        try {
            subscribeAtStart();
        } catch (Exception e) {
            dispatcher.unregister(getEndpoint().getName(), this);
            throw e;
        }
    }

    @Override
    protected void doStop() throws Exception {
        endSubscription(SubscriptionState.STOPPED);
        getEndpoint().getComponent().getDispatcher().unregister(getEndpoint().getName(), this);
        super.doStop();
    }

    @Override
    protected void doSuspend() throws Exception {
        endSubscription(SubscriptionState.SUSPENDED);
    }

    @Override
    protected void doResume() throws Exception {
        subscribeAtStart();
    }

    /**
     * Subscribes, retrying within startTimeout; a subscribe that still fails fails the route's start with the service's
     * answer, so that Camel's supervising route controller can start it again later.
     */
    private void subscribeAtStart() throws Exception {
        long gen = generation;
        state = SubscriptionState.SUBSCRIBING;
        try {
            // with a store shared by several nodes: this node's epoch, and what a previous leader left
            lead = getEndpoint().getComponent().getWaitRegistry().leadTrigger(getEndpoint().getName());
        } catch (RuntimeException e) {
            gaveUp(gen, e);
            throw e;
        }
        long now = now();
        long timeout = getEndpoint().getConfiguration().getStartTimeout();
        long deadline = now + timeout < now ? Long.MAX_VALUE : now + timeout;
        try {
            subscribe(gen, deadline, false).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            gaveUp(gen, cause);
            throw cause instanceof Exception exception ? exception : new RuntimeCamelException(cause);
        }
    }

    /** Sends the subscribe request (with its retries); when it succeeds, the trigger holds the new subscription. */
    private CompletableFuture<Void> subscribe(long gen, long deadline, boolean renewal) {
        LogicWebhookEndpoint endpoint = getEndpoint();
        SubscriptionClient client = endpoint.getClient();
        Exchange scratch = endpoint.createExchange();
        // a fresh URL each time: a signed expiry (callbackUrlExpiry) starts again with every renewal
        endpoint.setCallbackVariables(scratch, null);
        OutboundRequest request = client.subscribeRequest(scratch);
        synchronized (lock) {
            if (gen != generation) {
                return CompletableFuture.completedFuture(null);
            }
            subscribing = true;
            // a WebSub hub verifies this subscribe, not an unsubscribe the trigger made before
            endpoint.getComponent().getDispatcher().getHandshake().subscribing(endpoint.getName());
        }
        return client.sendWithRetries(request, endpoint.getName(), trackingId(), deadline, () -> gen == generation,
                e -> retrying(gen, e))
                .thenAccept(response -> subscribed(gen, request, scratch, response, renewal))
                .whenComplete((done, failure) -> subscribing = false);
    }

    private void subscribed(
            long gen, OutboundRequest request, Exchange scratch, SubscriptionClient.Response response, boolean renewal) {
        LogicWebhookEndpoint endpoint = getEndpoint();
        OutboundRequest next;
        try {
            next = endpoint.getClient().unsubscribeRequest(scratch, response);
        } catch (Exception e) {
            // the subscription exists: keeping it (and saying so) beats failing with it left behind at the service
            LOG.warn("Trigger {} cannot resolve its unsubscribe request from the subscribe answer, so it will not"
                     + " unsubscribe: {}", endpoint.getName(), e.getMessage());
            next = null;
        }
        long now = now();
        long lease = Lease.fromResponse(SubscriptionClient.parseBody(response.body()),
                endpoint.getConfiguration().getLeaseField(), now);
        OutboundRequest previous = null;
        boolean stale;
        synchronized (lock) {
            stale = gen != generation;
            if (!stale) {
                previous = unsubscribeRequest;
                unsubscribeRequest = next;
                state = SubscriptionState.SUBSCRIBED;
                lastError = null;
                subscribedAt = now;
                if (lease >= 0) {
                    leaseMillis = lease;
                }
                // an answer without a lease (a WebSub hub grants it in its verification) keeps the last one's length
                leaseExpiresAt = leaseMillis >= 0 ? now + leaseMillis : 0;
                scheduleRenewal(gen, leaseMillis);
            }
        }
        if (stale) {
            // the trigger stopped while this subscribe was under way: what it got must not outlive the trigger
            LOG.info("Trigger {} stopped while subscribing: unsubscribing the subscription it just got", endpoint.getName());
            unsubscribe(next);
            return;
        }
        if (!keptInStore(gen, next)) {
            return;
        }
        if (renewal) {
            LOG.debug("Trigger {} renewed its subscription (answered {})", endpoint.getName(), response.status());
        } else {
            LOG.info("Trigger {} subscribed with {} {} (answered {}); callbacks go to {}?sig=…", endpoint.getName(),
                    request.method(), request.safeUri(), response.status(), endpoint.callbackPrefix(endpoint.getName()));
            if (next == null) {
                LOG.info("Trigger {} has no unsubscribeUri: it will not unsubscribe when it stops", endpoint.getName());
            }
        }
        if (previous != null && !previous.equals(next)) {
            // the renewal made a new subscription rather than extending the old one, which would go on calling back
            unsubscribe(previous);
        }
        OutboundRequest left = renewal ? null : WaitRegistry.previousSubscription(lead);
        if (left != null && !left.equals(next)) {
            // a leader that crashed (or still believes it leads) left it: one subscription per trigger
            LOG.info("Trigger {}: unsubscribing the subscription a previous leader left", endpoint.getName());
            unsubscribe(endpoint.getClient().restoreUnsubscribe(left));
        }
    }

    /**
     * With a store shared by several nodes, keeps how to unsubscribe under this node's epoch; a newer leader took the
     * trigger meanwhile (both believed they led, for a moment): its subscription stays, and this one's goes.
     *
     * @return whether this node still leads the trigger
     */
    private boolean keptInStore(long gen, OutboundRequest next) {
        String name = getEndpoint().getName();
        boolean leads;
        try {
            leads = getEndpoint().getComponent().getWaitRegistry().triggerSubscribed(name, lead, next);
        } catch (RuntimeException e) {
            // the store is down: keep the subscription; the next start or renewal writes it
            LOG.warn("Trigger {} could not keep its subscription in the wait store: {}", name, e.getMessage());
            return true;
        }
        if (leads) {
            return true;
        }
        synchronized (lock) {
            if (gen == generation) {
                unsubscribeRequest = null;
                if (renewal != null) {
                    renewal.cancel();
                    renewal = null;
                }
                state = SubscriptionState.FAILED;
                lastError = "another node leads this trigger now";
            }
        }
        LOG.warn("Trigger {}: another node leads it now; unsubscribing the subscription this node just got", name);
        unsubscribe(next);
        return false;
    }

    /**
     * Every unsubscribe of the trigger: a failure is retried in the background and never thrown, and a WebSub hub's
     * verification of it is confirmed for a while.
     */
    private void unsubscribe(OutboundRequest request) {
        if (request != null) {
            LogicWebhookEndpoint endpoint = getEndpoint();
            endpoint.getComponent().getDispatcher().getHandshake().unsubscribing(endpoint.getConfiguration(),
                    endpoint.getName());
            endpoint.getClient().unsubscribe(request, endpoint.getName(), trackingId());
        }
    }

    /** Schedules the next renewal, if the trigger has a lease, a renewInterval or an expiring URL. Holds the lock. */
    private void scheduleRenewal(long gen, long lease) {
        if (renewal != null) {
            renewal.cancel();
            renewal = null;
        }
        LogicWebhookConfiguration configuration = getEndpoint().getConfiguration();
        long delay = configuration.getRenewInterval();
        if (delay <= 0) {
            delay = fractionOf(lease, configuration.getRenewFraction());
            long url = fractionOf(configuration.getCallbackUrlExpiry() > 0 ? configuration.getCallbackUrlExpiry() : -1,
                    configuration.getRenewFraction());
            delay = delay < 0 ? url : url < 0 ? delay : Math.min(delay, url);
        }
        if (delay < 0) {
            return;
        }
        scheduleRenewalIn(gen, Math.max(SHORTEST_RENEWAL, delay));
    }

    private void scheduleRenewalIn(long gen, long delay) {
        renewal = getEndpoint().getComponent().getDueTasks().schedule(now() + delay, new DueTasks.Task() {
            @Override
            public void run() {
                renew(gen);
            }

            @Override
            public void abandon() {
                // the component stops: so does the trigger, which needs no renewal then
            }
        });
    }

    private static long fractionOf(long millis, double fraction) {
        return millis < 0 ? -1 : (long) (millis * Math.min(1.0, Math.max(0.0, fraction)));
    }

    /** Runs on the worker pool: sends the subscribe request again, with the retry policy and no deadline. */
    private void renew(long gen) {
        if (gen != generation) {
            return;
        }
        LOG.debug("Trigger {} renews its subscription", getEndpoint().getName());
        CompletableFuture<Void> renewed;
        try {
            renewed = subscribe(gen, Long.MAX_VALUE, true);
        } catch (RuntimeException e) {
            // a subscribe template that fails now (a bean, a property): the trigger keeps trying
            renewed = CompletableFuture.failedFuture(e);
        }
        renewed.whenComplete((done, failure) -> {
            if (failure != null) {
                renewalFailed(gen, failure);
            }
        });
    }

    private void renewalFailed(long gen, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        long retryIn = Math.max(SHORTEST_RENEWAL, getEndpoint().getConfiguration().getRetryMaximumInterval());
        synchronized (lock) {
            if (gen != generation) {
                return;
            }
            gaveUp(gen, cause);
            // the subscription may lapse, but the trigger keeps trying: a renewal that gave up starts over later
            scheduleRenewal(gen, -1);
            if (renewal == null) {
                scheduleRenewalIn(gen, retryIn);
            }
        }
        LOG.warn("Trigger {} could not renew its subscription: {}", getEndpoint().getName(), cause.getMessage());
    }

    private void retrying(long gen, LogicWebhookSubscriptionException e) {
        synchronized (lock) {
            if (gen == generation) {
                state = SubscriptionState.RETRYING;
                lastError = e.getMessage();
            }
        }
    }

    private void gaveUp(long gen, Throwable cause) {
        synchronized (lock) {
            if (gen == generation) {
                state = SubscriptionState.FAILED;
                lastError = cause.getMessage();
                getEndpoint().getStatistics().subscribeFailed(cause.getMessage(), now());
            }
        }
    }

    /** Stops renewing and unsubscribes (a failed unsubscribe is retried in the background and never thrown). */
    private void endSubscription(SubscriptionState next) {
        OutboundRequest request;
        synchronized (lock) {
            generation++;
            if (renewal != null) {
                renewal.cancel();
                renewal = null;
            }
            request = unsubscribeRequest;
            unsubscribeRequest = null;
            // a start that failed stays visible (JMX, the dev console) while the route is down
            boolean startFailed = state == SubscriptionState.FAILED && request == null;
            state = startFailed && next == SubscriptionState.STOPPED ? SubscriptionState.FAILED : next;
            leaseExpiresAt = 0;
            leaseMillis = -1;
        }
        unsubscribe(request);
        if (request != null) {
            getEndpoint().getComponent().getWaitRegistry().triggerUnsubscribed(getEndpoint().getName(), lead);
        }
    }

    private long now() {
        return getEndpoint().getComponent().getClock().millis();
    }

    /**
     * A WebSub hub verified the subscription and granted a lease of this many seconds: the renewal is scheduled from it
     * (unless renewInterval is set).
     */
    @Override
    public void leaseGranted(long leaseSeconds) {
        synchronized (lock) {
            if (state == SubscriptionState.STOPPED || state == SubscriptionState.SUSPENDED) {
                return;
            }
            leaseMillis = Math.max(0, leaseSeconds) * 1000;
            leaseExpiresAt = now() + leaseMillis;
            scheduleRenewal(generation, leaseMillis);
        }
    }

    /** The service refused the subscription (a WebSub hub's hub.mode=denied, with its hub.reason). */
    @Override
    public void subscriptionDenied(String reason) {
        synchronized (lock) {
            if (renewal != null) {
                renewal.cancel();
                renewal = null;
            }
            state = SubscriptionState.DENIED;
            lastError = "the service denied the subscription" + (reason == null ? "" : ": " + reason);
        }
        LOG.warn("Trigger {}: {}", getEndpoint().getName(), lastError);
    }

    /**
     * Whether the trigger wants its subscription now: a handshake (a WebSub verification, a Graph validation) is
     * answered while it is subscribing, retrying, subscribed or renewing, and not once it stopped, was suspended or was
     * denied.
     */
    @Override
    public boolean wantsSubscription() {
        return subscribing || state == SubscriptionState.SUBSCRIBED;
    }

    public SubscriptionState getSubscriptionState() {
        return state;
    }

    /** Why the trigger is not subscribed, or why its last subscribe or renewal failed; null when all is well. */
    @Override
    public String getLastError() {
        return lastError;
    }

    /** When the service last accepted the subscription (component clock, epoch millis); 0 if never. */
    @Override
    public long getSubscribedAt() {
        return subscribedAt;
    }

    /** When the subscription's lease ends (component clock, epoch millis); 0 when it has none known. */
    @Override
    public long getLeaseExpiresAt() {
        return leaseExpiresAt;
    }

    private String trackingId() {
        return getEndpoint().getCamelContext().getName() + "/" + getEndpoint().getName();
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
    public CallbackAnswer unavailable() {
        return !isRunAllowed() || isSuspendingOrSuspended() ? NOT_RUNNING : null;
    }

    /**
     * Runs the route for one callback: 202 when the route succeeded, 500 (the sender retries) when it failed. The route
     * runs asynchronously: when it hands its exchange on (to an action, say), no thread waits, and the answer is given
     * when the exchange completes.
     */
    @Override
    public CompletionStage<CallbackAnswer> onCallback(CallbackRequest request) {
        Exchange exchange = createExchange(false);
        Message message = exchange.getMessage();
        message.setHeaders(request.headers(getEndpoint().getName()));
        message.setBody(request.body);
        CompletableFuture<CallbackAnswer> answer = new CompletableFuture<>();
        try {
            getAsyncProcessor().process(exchange, doneSync -> {
                answer.complete(exchange.getException() != null ? ROUTE_FAILED : CallbackAnswer.ACCEPTED);
                releaseExchange(exchange, false);
            });
        } catch (RuntimeException e) {
            // thrown past the route's error handler, which logs (once) every failure it sees
            getExceptionHandler().handleException("Error processing a logicwebhook callback", exchange, e);
            answer.complete(ROUTE_FAILED);
        }
        return answer;
    }

    @Override
    public String triggerName() {
        return getEndpoint().getName();
    }

    @Override
    public String subscriptionState() {
        return state.name();
    }

    @Override
    public boolean isSubscribed() {
        return state == SubscriptionState.SUBSCRIBED;
    }
}

package org.apache.camel.component.logicwebhook;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.camel.component.logicwebhook.callback.CallbackAnswer;
import org.apache.camel.component.logicwebhook.callback.CallbackHandler;
import org.apache.camel.component.logicwebhook.callback.CallbackRequest;
import org.apache.camel.component.logicwebhook.callback.PayloadSignatureVerifier;
import org.apache.camel.component.logicwebhook.callback.WaitCallbacks;
import org.apache.camel.component.logicwebhook.observability.RepeatedWarning;
import org.apache.camel.component.logicwebhook.observability.WaitOutcome;
import org.apache.camel.component.logicwebhook.store.StoredWait;
import org.apache.camel.component.logicwebhook.wait.CallbackResult;
import org.apache.camel.component.logicwebhook.wait.Orphans;
import org.apache.camel.component.logicwebhook.wait.PendingWait;
import org.apache.camel.component.logicwebhook.wait.WaitOwner;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the dispatcher finds the action's waits: a pending one in memory (its exchange waits here), or one that only the
 * wait store knows (finished, or an orphan whose exchange is gone, resumed in its endpoint's resumeUri).
 */
final class ActionCallbacks implements WaitCallbacks {

    private static final Logger LOG = LoggerFactory.getLogger(ActionCallbacks.class);
    /** While the wait store is down, every callback is answered 503: said once a minute at WARN, not once each. */
    private static final RepeatedWarning STORE_DOWN_WARNING = new RepeatedWarning(LOG);

    static final CallbackAnswer INVALID_JSON = CallbackAnswer.of(400, "body is not valid JSON");
    private static final CallbackAnswer ALREADY_RECEIVED = CallbackAnswer.of(409, "callback already received");
    private static final CallbackAnswer GONE = CallbackAnswer.of(410, "wait timed out or was cancelled");
    private static final CallbackAnswer HANDED_OVER = CallbackAnswer.unavailable("stopping; retry later");
    private static final CallbackAnswer TIMING_OUT = CallbackAnswer.unavailable("wait is timing out; retry later");
    private static final CallbackAnswer NO_RESUME_URI
            = CallbackAnswer.of(410, "wait no longer has an exchange, and its action has no resumeUri");
    private static final CallbackAnswer NO_ACTION
            = CallbackAnswer.unavailable("no running action resumes this wait yet; retry later");

    private final WaitRegistry registry;

    ActionCallbacks(WaitRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CallbackHandler pending(String name, String id) {
        PendingWait wait = registry.get(id);
        // every wait's owner is the producer that made it
        return wait != null && wait.isPending() && wait.owner.name().equals(name)
                ? new LiveWait((LogicWebhookProducer) wait.owner, wait) : null;
    }

    @Override
    public CallbackHandler notPending(String name, String id) {
        PendingWait wait = registry.get(id);
        if (wait != null) {
            return CallbackHandler.refusing(wait.owner.name().equals(name) ? endedAnswer(registry, wait)
                    : CallbackAnswer.UNKNOWN);
        }
        try {
            StoredWait stored = registry.stored(id);
            if (stored == null || stored.endpoint() != null && !stored.endpoint().equals(name)) {
                return CallbackHandler.refusing(CallbackAnswer.UNKNOWN);
            }
            if (!stored.isPending()) {
                return CallbackHandler.refusing(finishedAnswer(WaitOutcome.valueOf(stored.state())));
            }
            Orphans orphans = registry.orphans();
            WaitOwner owner = orphans.owner(name);
            if (owner == null) {
                return CallbackHandler.refusing(NO_ACTION);
            }
            StoredWait orphan = orphans.adoptForCallback(stored, registry.now());
            if (orphan != null) {
                return new StoredWaitCallback((LogicWebhookProducer) owner, orphans, orphan, true);
            }
            // its exchange waits on another node that is alive: claimed here, resumed there
            return orphans.stopping() ? CallbackHandler.refusing(HANDED_OVER)
                    : new StoredWaitCallback((LogicWebhookProducer) owner, orphans, stored, false);
        } catch (LogicWebhookStoreException e) {
            STORE_DOWN_WARNING.warn("logicwebhook:{}: a callback was answered 503: {}", name, e.getMessage());
            return CallbackHandler.refusing(CallbackAnswer.unavailable("wait store unavailable; retry later"));
        }
    }

    /**
     * The answer to a callback for a wait of this JVM that is no longer pending. One whose timeout is not written yet
     * (it is still in the registry) may be given back its pending state: another node may have moved its deadline (a
     * heartbeat callback that reached it). Its sender is asked to retry shortly, not told it is gone (a sender that
     * follows Standard Webhooks gives up on a 410).
     */
    static CallbackAnswer endedAnswer(WaitRegistry registry, PendingWait wait) {
        WaitOutcome outcome = wait.outcome();
        return outcome == WaitOutcome.TIMED_OUT && registry.get(wait.id) == wait ? TIMING_OUT : finishedAnswer(outcome);
    }

    /** The answer to a callback for a wait that ended this way ({@code null}: unknown). */
    static CallbackAnswer finishedAnswer(WaitOutcome outcome) {
        if (outcome == null) {
            return CallbackAnswer.UNKNOWN;
        }
        return switch (outcome) {
            case COMPLETED, FAILED -> ALREADY_RECEIVED;
            // the wait store keeps it: the next start, or another node, resumes it when the sender tries again
            case HANDED_OVER -> HANDED_OVER;
            default -> GONE;
        };
    }

    private static CallbackAnswer storedAnswer(StoredWait wait) {
        return wait == null ? CallbackAnswer.UNKNOWN : finishedAnswer(WaitOutcome.valueOf(wait.state()));
    }

    /** What both kinds of wait share: the endpoint's configuration and payload check. */
    private abstract static class ActionWait implements CallbackHandler {
        final LogicWebhookProducer producer;

        ActionWait(LogicWebhookProducer producer) {
            this.producer = producer;
        }

        @Override
        public LogicWebhookConfiguration configuration() {
            return producer.getEndpoint().getConfiguration();
        }

        @Override
        public PayloadSignatureVerifier payloadVerifier() {
            return producer.getEndpoint().getPayloadVerifier();
        }

        @Override
        public boolean wantsSubscription() {
            return true;
        }
    }

    /** A wait whose exchange waits in this JVM: resume, fail or heartbeat. */
    private static final class LiveWait extends ActionWait {
        private final PendingWait wait;

        LiveWait(LogicWebhookProducer producer, PendingWait wait) {
            super(producer);
            this.wait = wait;
        }

        @Override
        public void subscriptionDenied(String reason) {
            LOG.warn("logicwebhook:{}: the hub denied the subscription of a wait{}", producer.name(),
                    reason == null ? "" : ": " + reason);
            // handshakes are answered on the HTTP engine's thread: the wait store is written on the pool
            producer.getEndpoint().getComponent().getWaitRegistry().execute(() -> producer.onDenied(wait, reason));
        }

        @Override
        public CompletionStage<CallbackAnswer> onCallback(CallbackRequest request) {
            return CompletableFuture.completedFuture(producer.onCallback(wait, request));
        }
    }

    /**
     * A wait that the store knows and this JVM has no exchange of: the callback is claimed in the store and answered once
     * the claim is committed; then an orphan (its JVM stopped or crashed) is delivered to the resumeUri here, and a wait
     * whose exchange waits on another live node is resumed there (told by the store).
     */
    private static final class StoredWaitCallback extends ActionWait {
        private final Orphans orphans;
        private final StoredWait wait;
        private final boolean orphan;

        StoredWaitCallback(LogicWebhookProducer producer, Orphans orphans, StoredWait wait, boolean orphan) {
            super(producer);
            this.orphans = orphans;
            this.wait = wait;
            this.orphan = orphan;
        }

        @Override
        public void subscriptionDenied(String reason) {
            // no exchange to fail: its deadline ends it
        }

        @Override
        public CompletionStage<CallbackAnswer> onCallback(CallbackRequest request) {
            return CompletableFuture.completedFuture(take(request));
        }

        /** A store that fails throws {@link LogicWebhookStoreException}: the dispatcher answers 503. */
        private CallbackAnswer take(CallbackRequest request) {
            WaitRegistry registry = producer.getEndpoint().getComponent().getWaitRegistry();
            long now = registry.now();
            if (CallbackRequest.HEARTBEAT.equals(request.kind)) {
                return heartbeat(registry, now);
            }
            try {
                producer.callbackBody(request.body);
            } catch (IOException e) {
                return INVALID_JSON;
            }
            if (orphan && !producer.resumesOrphans()) {
                // finished and delivered by this claim: in the unsubscribe journal until its unsubscribe is over
                if (!orphans.claimAndUnsubscribe(producer, wait, WaitOutcome.CANCELLED)) {
                    return storedAnswer(registry.stored(wait.id()));
                }
                return NO_RESUME_URI;
            }
            boolean failure = CallbackRequest.FAIL.equals(request.kind);
            String result = CallbackResult.of(request.body, request.headers(producer.name()),
                    failure ? LogicWebhookProducer.failureStatus(request) : 200, failure).toJson();
            if (!orphans.claim(wait, failure ? WaitOutcome.FAILED : WaitOutcome.COMPLETED, result, false, now)) {
                return storedAnswer(registry.stored(wait.id()));
            }
            if (orphan) {
                orphans.settleLater(producer.name(), wait.id());
            }
            return CallbackAnswer.OK;
        }

        private CallbackAnswer heartbeat(WaitRegistry registry, long now) {
            long timeout = configuration().getTimeout();
            long next = Math.min(timeout > 0 && now + timeout > now ? now + timeout : Long.MAX_VALUE, wait.hardDeadline());
            if (registry.store().extend(wait.id(), Math.max(next, wait.deadline()))) {
                return CallbackAnswer.ACCEPTED;
            }
            return storedAnswer(registry.stored(wait.id()));
        }
    }
}

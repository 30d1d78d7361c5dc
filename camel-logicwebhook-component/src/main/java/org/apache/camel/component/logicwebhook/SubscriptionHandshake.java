package org.apache.camel.component.logicwebhook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.Message;
import org.apache.camel.support.LRUCacheFactory;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the handshakes by which a service makes sure that a callback URL wants its notifications: WebSub intent
 * verification, Microsoft Graph validation and CloudEvents webhook abuse protection. It runs once the URL's signature
 * and expiry were checked, answers only the kind of handshake the endpoint was configured for, and only for a trigger
 * that is subscribing or subscribed or for a pending wait; a handshake never starts an exchange or resumes a wait.
 *
 * <p>
 * A WebSub hub verifies an unsubscribe after the trigger stopped (its path is gone) or the wait ended, so the paths
 * that unsubscribed are remembered for {@link #UNSUBSCRIBE_MEMORY_MILLIS}; a subscribe of the same trigger forgets
 * them, so that a hub cannot have a subscription confirmed away that nobody asked to end.
 */
final class SubscriptionHandshake {

    static final String NONE = "none";
    static final String WEBSUB = "websub";
    static final String GRAPH = "graph";
    static final String CLOUDEVENTS = "cloudevents";

    /** How long a hub may take to verify an unsubscribe. */
    static final long UNSUBSCRIBE_MEMORY_MILLIS = 3_600_000;
    private static final int UNSUBSCRIBE_MEMORY_CAPACITY = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionHandshake.class);

    /** What a handshake is for: a registered trigger or a pending wait, and the endpoint of either. */
    private record Target(LogicWebhookEndpoint endpoint, LogicWebhookConsumer trigger, PendingWait pendingWait) {

        /** Whether it wants its subscription now: a pending wait, or a trigger subscribing (retries too) or subscribed. */
        boolean wanted() {
            if (pendingWait != null) {
                return true;
            }
            return trigger.wantsSubscription();
        }
    }

    /** A path that unsubscribed, with the topic it was subscribed to. */
    private record Unsubscribed(String topic, long at) {
    }

    private final LogicWebhookComponent component;
    private final Map<String, Unsubscribed> unsubscribed = LRUCacheFactory.newLRUCache(UNSUBSCRIBE_MEMORY_CAPACITY);

    SubscriptionHandshake(LogicWebhookComponent component) {
        this.component = component;
    }

    /** Refuses, at start, a handshake option that could never be answered. */
    static void validate(String name, LogicWebhookConfiguration configuration) {
        String kind = configuration.getHandshake();
        if (!Arrays.asList(NONE, WEBSUB, GRAPH, CLOUDEVENTS).contains(kind)) {
            throw new IllegalArgumentException("logicwebhook:" + name + " has an unknown handshake " + kind
                                               + " (none, websub, graph, cloudevents)");
        }
        if (WEBSUB.equals(kind) && ObjectHelper.isEmpty(configuration.getWebsubTopic())) {
            throw new IllegalArgumentException("logicwebhook:" + name + " has handshake=websub but no websubTopic: the"
                                               + " hub's verification names the topic, which must be known to confirm it");
        }
    }

    /**
     * Answers the request when it is a handshake meant for its trigger or wait.
     *
     * @param  trigger the running trigger of the request's name, or {@code null}
     * @return         true when the request was a handshake and has been answered
     */
    boolean answered(Message message, CallbackRequest request, LogicWebhookConsumer trigger) {
        String kind = kindOf(message, request);
        if (kind == null) {
            return false;
        }
        Target target = target(request, trigger);
        if (target == null || !kind.equals(target.endpoint().getConfiguration().getHandshake())) {
            // a WebSub unsubscribe is verified once its trigger stopped or its wait ended
            return WEBSUB.equals(kind) && answerRememberedUnsubscribe(message, request);
        }
        switch (kind) {
            case WEBSUB -> answerWebSub(message, request, target);
            case GRAPH -> answerGraph(message, request, target.wanted());
            default -> answerCloudEvents(message, target);
        }
        return true;
    }

    /** A trigger's subscribe or unsubscribe request is about to go out: what a hub may verify changes. */
    void subscribing(String path) {
        unsubscribed.remove(path);
    }

    void unsubscribing(LogicWebhookEndpoint endpoint, String path) {
        if (WEBSUB.equals(endpoint.getConfiguration().getHandshake())) {
            unsubscribed.put(path, new Unsubscribed(endpoint.getConfiguration().getWebsubTopic(), now()));
        }
    }

    private static String kindOf(Message message, CallbackRequest request) {
        if (request.kind != null) {
            // the failure and heartbeat URLs are never handed to a service as its callback
            return null;
        }
        if ("GET".equals(request.method) && request.queryParameter("hub.mode") != null) {
            return WEBSUB;
        }
        if ("POST".equals(request.method) && request.queryParameter("validationToken") != null) {
            return GRAPH;
        }
        if ("OPTIONS".equals(request.method) && message.getHeader("WebHook-Request-Origin") != null) {
            return CLOUDEVENTS;
        }
        return null;
    }

    /** The running trigger or the pending wait that the request's path names, or {@code null}. */
    private Target target(CallbackRequest request, LogicWebhookConsumer trigger) {
        if (request.isTrigger()) {
            return trigger == null ? null : new Target(trigger.getEndpoint(), trigger, null);
        }
        PendingWait wait = component.getWaitRegistry().get(request.id);
        boolean ours = wait != null && wait.producer.getEndpoint().getName().equals(request.name);
        return ours && wait.state() == PendingWait.PENDING ? new Target(wait.producer.getEndpoint(), null, wait) : null;
    }

    /**
     * WebSub §5.3: subscribe is confirmed for a trigger or wait that wants its topic, unsubscribe for one that asked to
     * end it, and a denial (§5.2) is surfaced on the trigger or fails the wait.
     */
    private void answerWebSub(Message message, CallbackRequest request, Target target) {
        String mode = stringParameter(request, "hub.mode");
        String topic = target.endpoint().getConfiguration().getWebsubTopic();
        boolean topicMatches = topic.equals(stringParameter(request, "hub.topic"));
        if ("subscribe".equals(mode) && topicMatches && target.wanted()) {
            if (echoChallenge(message, request) && target.trigger() != null) {
                grantLease(target.trigger(), stringParameter(request, "hub.lease_seconds"));
            }
        } else if ("unsubscribe".equals(mode)) {
            answerRememberedUnsubscribe(message, request);
        } else if ("denied".equals(mode) && topicMatches) {
            surfaceDenial(target, stringParameter(request, "hub.reason"));
            CallbackDispatcher.respond(message, 200, null);
        } else {
            CallbackDispatcher.respond(message, 404, "unknown subscription");
        }
    }

    private boolean answerRememberedUnsubscribe(Message message, CallbackRequest request) {
        if (!"unsubscribe".equals(stringParameter(request, "hub.mode"))) {
            return false;
        }
        Unsubscribed entry = unsubscribed.get(request.path);
        boolean asked = entry != null && now() - entry.at() < UNSUBSCRIBE_MEMORY_MILLIS
                && entry.topic().equals(stringParameter(request, "hub.topic"));
        if (asked) {
            echoChallenge(message, request);
            LOG.info("logicwebhook:{} confirmed its unsubscribe to the hub", request.name);
        } else {
            CallbackDispatcher.respond(message, 404, "unknown subscription");
        }
        return true;
    }

    private static boolean echoChallenge(Message message, CallbackRequest request) {
        String challenge = stringParameter(request, "hub.challenge");
        if (ObjectHelper.isEmpty(challenge)) {
            CallbackDispatcher.respond(message, 404, "unknown subscription");
            return false;
        }
        echo(message, challenge);
        return true;
    }

    private static void grantLease(LogicWebhookConsumer trigger, String leaseSeconds) {
        if (leaseSeconds == null) {
            return;
        }
        try {
            long seconds = Long.parseLong(leaseSeconds.trim());
            if (seconds > 0) {
                trigger.leaseGranted(seconds);
            }
        } catch (NumberFormatException e) {
            LOG.warn("logicwebhook:{} got a hub.lease_seconds that is not a number; the lease stays unknown",
                    trigger.getEndpoint().getName());
        }
    }

    private static void surfaceDenial(Target target, String reason) {
        if (target.trigger() != null) {
            target.trigger().subscriptionDenied(reason);
        } else {
            LOG.warn("logicwebhook:{}: the hub denied the subscription of a wait{}", target.endpoint().getName(),
                    reason == null ? "" : ": " + reason);
            target.pendingWait().producer.onDenied(target.pendingWait(), reason);
        }
    }

    /** Microsoft Graph: the token, decoded, as plain text, at once (Graph gives up after 10 seconds). */
    private static void answerGraph(Message message, CallbackRequest request, boolean wanted) {
        String token = stringParameter(request, "validationToken");
        if (wanted && ObjectHelper.isNotEmpty(token)) {
            echo(message, token);
        } else {
            CallbackDispatcher.respond(message, 404, "unknown subscription");
        }
    }

    /**
     * CloudEvents HTTP Webhook §4.2: consent is the WebHook-Allowed-Origin header; a refused origin gets 403 without
     * it. A WebHook-Request-Callback is never called (it would make the application send requests to any URL given).
     */
    private static void answerCloudEvents(Message message, Target target) {
        LogicWebhookEndpoint endpoint = target.endpoint();
        if (!target.wanted()) {
            CallbackDispatcher.respond(message, 404, "unknown subscription");
            return;
        }
        String origin = message.getHeader("WebHook-Request-Origin", String.class).trim();
        LogicWebhookConfiguration configuration = endpoint.getConfiguration();
        if (!originAllowed(origin, configuration.getWebhookAllowedOrigins())) {
            LOG.info("logicwebhook:{} refused deliveries from origin {}", endpoint.getName(), origin);
            CallbackDispatcher.respond(message, 403, "origin not allowed");
            return;
        }
        CallbackDispatcher.respond(message, 200, null);
        message.setHeader("WebHook-Allowed-Origin", origin);
        message.setHeader("WebHook-Allowed-Rate", configuration.getWebhookAllowedRate());
        message.setHeader("Allow", allowedMethods(configuration));
    }

    static boolean originAllowed(String origin, String allowedOrigins) {
        if (origin.isEmpty() || allowedOrigins == null) {
            return false;
        }
        return Arrays.stream(allowedOrigins.split(",")).map(String::trim)
                .anyMatch(allowed -> "*".equals(allowed) || allowed.equalsIgnoreCase(origin));
    }

    private static String allowedMethods(LogicWebhookConfiguration configuration) {
        return Arrays.stream(configuration.getCallbackMethods().split(",")).map(String::trim)
                .map(method -> method.toUpperCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }

    private static void echo(Message message, String text) {
        CallbackDispatcher.respond(message, 200, text);
        // the echo is text the sender chose: no browser may take it for HTML
        message.setHeader("X-Content-Type-Options", "nosniff");
    }

    /**
     * A query parameter, percent-decoded: the request's parameters are parsed as Camel parses endpoint URIs, which only
     * turns '+' into a space. A repeated or malformed parameter counts as absent.
     */
    private static String stringParameter(CallbackRequest request, String name) {
        if (!(request.queryParameter(name) instanceof String value)) {
            return null;
        }
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private long now() {
        return component.getClock().millis();
    }
}

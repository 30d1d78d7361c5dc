package org.apache.camel.component.logicwebhook.callback;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.component.logicwebhook.LogicWebhookConfiguration;
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
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class SubscriptionHandshake {

    static final String NONE = "none";
    static final String WEBSUB = "websub";
    static final String GRAPH = "graph";
    static final String CLOUDEVENTS = "cloudevents";

    /** How long a hub may take to verify an unsubscribe. */
    public static final long UNSUBSCRIBE_MEMORY_MILLIS = 3_600_000;
    private static final int UNSUBSCRIBE_MEMORY_CAPACITY = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionHandshake.class);
    private static final CallbackAnswer UNKNOWN_SUBSCRIPTION = CallbackAnswer.of(404, "unknown subscription");

    /** A path that unsubscribed, with the topic it was subscribed to. */
    private record Unsubscribed(String topic, long at) {
    }

    private final Clock clock;
    private final Map<String, Unsubscribed> unsubscribed = LRUCacheFactory.newLRUCache(UNSUBSCRIBE_MEMORY_CAPACITY);

    SubscriptionHandshake(Clock clock) {
        this.clock = clock;
    }

    /** Refuses, at start, a handshake option that could never be answered. */
    public static void validate(String name, LogicWebhookConfiguration configuration) {
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
     * @param  target the registered trigger or the pending wait that the request's path names, or {@code null}
     * @return        the answer when the request was a handshake, or {@code null}
     */
    CallbackAnswer answer(CallbackRequest request, CallbackHandler target) {
        String kind = kindOf(request);
        if (kind == null) {
            return null;
        }
        if (target == null || !kind.equals(target.configuration().getHandshake())) {
            // a WebSub unsubscribe is verified once its trigger stopped or its wait ended
            return WEBSUB.equals(kind) ? answerRememberedUnsubscribe(request) : null;
        }
        return switch (kind) {
            case WEBSUB -> answerWebSub(request, target);
            case GRAPH -> answerGraph(request, target.wantsSubscription());
            default -> answerCloudEvents(request, target);
        };
    }

    /** A trigger's subscribe or unsubscribe request is about to go out: what a hub may verify changes. */
    public void subscribing(String path) {
        unsubscribed.remove(path);
    }

    public void unsubscribing(LogicWebhookConfiguration configuration, String path) {
        if (WEBSUB.equals(configuration.getHandshake())) {
            unsubscribed.put(path, new Unsubscribed(configuration.getWebsubTopic(), now()));
        }
    }

    private static String kindOf(CallbackRequest request) {
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
        if ("OPTIONS".equals(request.method) && request.header("WebHook-Request-Origin") != null) {
            return CLOUDEVENTS;
        }
        return null;
    }

    /**
     * WebSub §5.3: subscribe is confirmed for a trigger or wait that wants its topic, unsubscribe for one that asked to
     * end it, and a denial (§5.2) is surfaced on the trigger or fails the wait.
     */
    private CallbackAnswer answerWebSub(CallbackRequest request, CallbackHandler target) {
        String mode = stringParameter(request, "hub.mode");
        String topic = target.configuration().getWebsubTopic();
        boolean topicMatches = topic.equals(stringParameter(request, "hub.topic"));
        if ("subscribe".equals(mode) && topicMatches && target.wantsSubscription()) {
            CallbackAnswer echo = echoChallenge(request);
            if (echo.isSuccess()) {
                grantLease(request, target, stringParameter(request, "hub.lease_seconds"));
            }
            return echo;
        } else if ("unsubscribe".equals(mode)) {
            return answerRememberedUnsubscribe(request);
        } else if ("denied".equals(mode) && topicMatches) {
            target.subscriptionDenied(stringParameter(request, "hub.reason"));
            return CallbackAnswer.OK;
        }
        return UNKNOWN_SUBSCRIPTION;
    }

    private CallbackAnswer answerRememberedUnsubscribe(CallbackRequest request) {
        if (!"unsubscribe".equals(stringParameter(request, "hub.mode"))) {
            return null;
        }
        Unsubscribed entry = unsubscribed.get(request.path);
        boolean asked = entry != null && now() - entry.at() < UNSUBSCRIBE_MEMORY_MILLIS
                && entry.topic().equals(stringParameter(request, "hub.topic"));
        if (!asked) {
            return UNKNOWN_SUBSCRIPTION;
        }
        CallbackAnswer echo = echoChallenge(request);
        LOG.info("logicwebhook:{} confirmed its unsubscribe to the hub", request.name);
        return echo;
    }

    private static CallbackAnswer echoChallenge(CallbackRequest request) {
        String challenge = stringParameter(request, "hub.challenge");
        return ObjectHelper.isEmpty(challenge) ? UNKNOWN_SUBSCRIPTION : echo(challenge);
    }

    private static void grantLease(CallbackRequest request, CallbackHandler target, String leaseSeconds) {
        if (leaseSeconds == null) {
            return;
        }
        try {
            long seconds = Long.parseLong(leaseSeconds.trim());
            if (seconds > 0) {
                target.leaseGranted(seconds);
            }
        } catch (NumberFormatException e) {
            LOG.warn("logicwebhook:{} got a hub.lease_seconds that is not a number; the lease stays unknown",
                    request.name);
        }
    }

    /** Microsoft Graph: the token, decoded, as plain text, at once (Graph gives up after 10 seconds). */
    private static CallbackAnswer answerGraph(CallbackRequest request, boolean wanted) {
        String token = stringParameter(request, "validationToken");
        return wanted && ObjectHelper.isNotEmpty(token) ? echo(token) : UNKNOWN_SUBSCRIPTION;
    }

    /**
     * CloudEvents HTTP Webhook §4.2: consent is the WebHook-Allowed-Origin header; a refused origin gets 403 without
     * it. A WebHook-Request-Callback is never called (it would make the application send requests to any URL given).
     */
    private static CallbackAnswer answerCloudEvents(CallbackRequest request, CallbackHandler target) {
        if (!target.wantsSubscription()) {
            return UNKNOWN_SUBSCRIPTION;
        }
        String origin = request.header("WebHook-Request-Origin").trim();
        LogicWebhookConfiguration configuration = target.configuration();
        if (!originAllowed(origin, configuration.getWebhookAllowedOrigins())) {
            LOG.info("logicwebhook:{} refused deliveries from origin {}", request.name, origin);
            return CallbackAnswer.of(403, "origin not allowed");
        }
        return new CallbackAnswer(200, null, Map.of("WebHook-Allowed-Origin", origin,
                "WebHook-Allowed-Rate", configuration.getWebhookAllowedRate(), "Allow", allowedMethods(configuration)));
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

    private static CallbackAnswer echo(String text) {
        // the echo is text the sender chose: no browser may take it for HTML
        return new CallbackAnswer(200, text, Map.of("X-Content-Type-Options", "nosniff"));
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
        return clock.millis();
    }
}

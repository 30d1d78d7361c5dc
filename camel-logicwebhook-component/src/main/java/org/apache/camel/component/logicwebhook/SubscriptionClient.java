package org.apache.camel.component.logicwebhook;

import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Producer;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.ObjectHelper;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an endpoint's subscribe and unsubscribe requests. The HTTP call itself, its authentication and TLS are
 * camel-http's: this client creates one camel-http endpoint with the logicwebhook endpoint's options under camel-http's
 * own names, and points each request at its resolved URI with the {@code CamelHttpUri} header.
 */
final class SubscriptionClient extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionClient.class);
    private static final int EXCERPT = 200;
    /** A signature parameter, also URL-encoded (a service may quote a query string it got). */
    private static final Pattern SIGNATURE = Pattern.compile("(sig(?:=|%3D|%3d))[A-Za-z0-9_\\-%]+");

    /** What the service answered to a subscribe request. */
    record Response(int status, String body, String location) {
    }

    private final CamelContext context;
    private final LogicWebhookConfiguration configuration;
    private final EndpointStatistics statistics;
    private final RequestTemplate subscribe;
    private final RequestTemplate unsubscribe;
    private Endpoint httpEndpoint;
    private Producer producer;

    SubscriptionClient(CamelContext context, LogicWebhookConfiguration configuration, EndpointStatistics statistics) {
        this.context = context;
        this.configuration = configuration;
        this.statistics = statistics;
        this.subscribe = RequestTemplate.compile(context, configuration.getSubscribeMethod(),
                configuration.getSubscribeUri(), configuration.getSubscribeHeaders(), configuration.getSubscribeBody(), true);
        this.unsubscribe = configuration.getUnsubscribeUri() == null
                ? null
                : RequestTemplate.compile(context, configuration.getUnsubscribeMethod(), configuration.getUnsubscribeUri(),
                        configuration.getUnsubscribeHeaders(), configuration.getUnsubscribeBody(), true);
    }

    boolean hasUnsubscribe() {
        return unsubscribe != null;
    }

    OutboundRequest subscribeRequest(Exchange exchange) {
        return subscribe.evaluate(exchange);
    }

    /**
     * Resolves the unsubscribe request once the subscribe response is known; {@code null} when the endpoint has no
     * unsubscribe URI.
     *
     * @param scratch an exchange of the caller's own with the callback URL variables, which this sets the subscribe
     *                response variables on
     */
    OutboundRequest unsubscribeRequest(Exchange scratch, Response response) {
        if (unsubscribe == null) {
            return null;
        }
        scratch.setVariable(LogicWebhookConstants.VAR_SUBSCRIPTION, parseBody(response.body()));
        scratch.setVariable(LogicWebhookConstants.VAR_SUBSCRIPTION_LOCATION, response.location());
        scratch.setVariable(LogicWebhookConstants.VAR_SUBSCRIPTION_STATUS, response.status());
        return unsubscribe.evaluate(scratch);
    }

    /** Sends a subscribe request; any answer but 2xx, or none, is an exception. */
    Response send(OutboundRequest request, String name, String trackingId) throws LogicWebhookSubscriptionException {
        checkAllowedHost(request);
        Exchange exchange = new DefaultExchange(context, ExchangePattern.InOut);
        Message in = exchange.getIn();
        // the enum: camel-http's lookup of a String method is a measurable share of each request
        in.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(request.method()));
        in.setHeader(Exchange.HTTP_URI, request.uri());
        in.setHeader(LogicWebhookConstants.OPERATION_NAME_HEADER, name);
        in.setHeader(LogicWebhookConstants.CLIENT_TRACKING_ID_HEADER, trackingId);
        String authorization = authorizationHeader();
        if (authorization != null) {
            in.setHeader("Authorization", authorization);
        }
        request.headers().forEach(in::setHeader);
        in.setBody(request.body());
        try {
            producer.process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        String what = request.method() + " " + request.safeUri();
        if (exchange.getException() != null) {
            Throwable e = innermostWithMessage(exchange.getException());
            throw new LogicWebhookSubscriptionException(
                    what + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), 0, null,
                    exchange.getException());
        }
        Message out = exchange.getMessage();
        int status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = out.getBody(String.class);
        if (status < 200 || status > 299) {
            throw new LogicWebhookSubscriptionException(
                    what + " answered " + status + ": " + excerpt(body), status, body, null);
        }
        return new Response(status, body, out.getHeader("Location", String.class));
    }

    private void checkAllowedHost(OutboundRequest request) throws LogicWebhookSubscriptionException {
        String allowed = configuration.getAllowedHosts();
        if (ObjectHelper.isEmpty(allowed)) {
            return;
        }
        String host;
        try {
            host = URI.create(request.uri()).getHost();
        } catch (IllegalArgumentException e) {
            host = null;
        }
        if (host != null) {
            String candidate = host.toLowerCase(Locale.ROOT);
            for (String entry : allowed.split(",")) {
                String pattern = entry.trim().toLowerCase(Locale.ROOT);
                if (pattern.equals(candidate) || pattern.startsWith("*.") && candidate.endsWith(pattern.substring(1))) {
                    return;
                }
            }
        }
        throw new LogicWebhookSubscriptionException(
                request.method() + " " + request.safeUri() + " was not sent: its host is not in allowedHosts", 0, null, null);
    }

    /**
     * Unsubscribes, trying {@code unsubscribeAttempts} times; a failure is logged with what is needed to clean up by
     * hand, and never thrown: an unsubscribe must not stop a route from stopping.
     */
    boolean unsubscribe(OutboundRequest request, String name, String trackingId) {
        int attempts = Math.max(1, configuration.getUnsubscribeAttempts());
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                send(request, name, trackingId);
                LOG.debug("Unsubscribed {} with {} {}", name, request.method(), request.safeUri());
                return true;
            } catch (LogicWebhookSubscriptionException e) {
                if (attempt == attempts) {
                    statistics.unsubscribeFailed(e.getMessage(), System.currentTimeMillis());
                    LOG.warn("Could not unsubscribe {} (tracking id {}) after {} attempt(s); the subscription may still"
                             + " exist at the service: {}",
                            name, trackingId, attempts, e.getMessage());
                } else {
                    LOG.debug("Unsubscribe attempt {} of {} for {} failed: {}", attempt, attempts, name, e.getMessage());
                }
            }
        }
        return false;
    }

    @Override
    protected void doStart() throws Exception {
        Map<String, Object> options = new HashMap<>();
        options.put("throwExceptionOnFailure", false);
        options.put("followRedirects", false);
        Timeout timeout = Timeout.ofMilliseconds(configuration.getRequestTimeout());
        options.put("connectTimeout", timeout);
        options.put("responseTimeout", timeout);
        options.put("connectionRequestTimeout", timeout);
        putIfSet(options, "authMethod", configuration.getAuthMethod());
        putIfSet(options, "authUsername", configuration.getAuthUsername());
        putIfSet(options, "authPassword", configuration.getAuthPassword());
        putIfSet(options, "oauth2ClientId", configuration.getOauth2ClientId());
        putIfSet(options, "oauth2ClientSecret", configuration.getOauth2ClientSecret());
        putIfSet(options, "oauth2TokenEndpoint", configuration.getOauth2TokenEndpoint());
        putIfSet(options, "oauth2Scope", configuration.getOauth2Scope());
        if (configuration.getOauth2ClientId() != null) {
            options.put("oauth2CacheTokens", configuration.isOauth2CacheTokens());
            options.put("oauth2BodyAuthentication", configuration.isOauth2BodyAuthentication());
        }
        putIfSet(options, "sslContextParameters", configuration.getSslContextParameters());
        if ("Basic".equalsIgnoreCase(configuration.getAuthMethod())) {
            // Logic Apps sends credentials with the first request rather than waiting for a challenge
            options.put("authenticationPreemptive", true);
        }
        httpEndpoint = context.getComponent("http").createEndpoint("http://logicwebhook.invalid", options);
        producer = httpEndpoint.createProducer();
        ServiceHelper.startService(httpEndpoint, producer);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(producer, httpEndpoint);
    }

    /**
     * A raw Authorization value, or a bearer token: sent as they are with every request (camel-http only sends a bearer
     * token after a challenge, which many services never send).
     */
    private String authorizationHeader() {
        if (ObjectHelper.isNotEmpty(configuration.getAuthorization())) {
            return configuration.getAuthorization();
        }
        if (ObjectHelper.isNotEmpty(configuration.getAuthBearerToken())) {
            return "Bearer " + configuration.getAuthBearerToken();
        }
        return null;
    }

    /** HTTP client exceptions often wrap the one that says what happened (a token endpoint's 401) without a message. */
    private static Throwable innermostWithMessage(Throwable e) {
        Throwable found = e;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                found = cause;
            }
        }
        return found;
    }

    private static void putIfSet(Map<String, Object> options, String name, Object value) {
        if (ObjectHelper.isNotEmpty(value)) {
            options.put(name, value);
        }
    }

    private static Object parseBody(String body) {
        if (body == null || body.isBlank()) {
            return body;
        }
        try {
            return RequestTemplate.JSON.readValue(body, Object.class);
        } catch (Exception e) {
            return body;
        }
    }

    /** A one-line start of an answer, with any signature a service echoes back (our callback URL) masked. */
    static String excerpt(String body) {
        if (body == null || body.isEmpty()) {
            return "(no body)";
        }
        String line = SIGNATURE.matcher(body.replaceAll("\\s+", " ").trim()).replaceAll("$1…");
        return line.length() <= EXCERPT ? line : line.substring(0, EXCERPT) + "…";
    }
}

package org.apache.camel.component.logicwebhook.subscription;

import java.net.URI;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Producer;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.component.logicwebhook.LogicWebhookConfiguration;
import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.apache.camel.component.logicwebhook.LogicWebhookSubscriptionException;
import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.ObjectHelper;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an endpoint's subscribe and unsubscribe requests. The HTTP call itself, its authentication and TLS are
 * camel-http's: this client creates a camel-http endpoint with the logicwebhook endpoint's options under camel-http's
 * own names, and points each request at its resolved URI with the {@code CamelHttpUri} header. When the unsubscribe has
 * an authentication of its own, its requests go through a second camel-http endpoint with only that one.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class SubscriptionClient extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionClient.class);
    private static final int EXCERPT = 200;
    /** A signature parameter, also URL-encoded (a service may quote a query string it got). */
    private static final Pattern SIGNATURE = Pattern.compile("(sig(?:=|%3D|%3d))[A-Za-z0-9_\\-%]+");

    /** What the service answered to a subscribe request. */
    public record Response(int status, String body, String location) {
    }

    private final CamelContext context;
    private final Clock clock;
    private final DueTasks dueTasks;
    private final LogicWebhookConfiguration configuration;
    private final EndpointStatistics statistics;
    private final RetryPolicy retryPolicy;
    private final RequestTemplate subscribe;
    private final RequestTemplate unsubscribe;
    private Sender subscribeSender;
    private Sender unsubscribeSender;

    /** A camel-http producer with one request kind's authentication. */
    private record Sender(Authentication authentication, Endpoint endpoint, Producer producer) {
    }

    /**
     * @param clock    the component's clock, that retries are timed by
     * @param dueTasks where retries wait for their time
     */
    public SubscriptionClient(CamelContext context, LogicWebhookConfiguration configuration, EndpointStatistics statistics,
                       Clock clock, DueTasks dueTasks) {
        this.context = context;
        this.clock = clock;
        this.dueTasks = dueTasks;
        this.configuration = configuration;
        this.statistics = statistics;
        this.retryPolicy = RetryPolicy.of(configuration, clock);
        this.subscribe = RequestTemplate.compile(context, configuration.getSubscribeMethod(),
                configuration.getSubscribeUri(), configuration.getSubscribeHeaders(), configuration.getSubscribeBody(), true);
        this.unsubscribe = configuration.getUnsubscribeUri() == null
                ? null
                : RequestTemplate.compile(context, configuration.getUnsubscribeMethod(), configuration.getUnsubscribeUri(),
                        configuration.getUnsubscribeHeaders(), configuration.getUnsubscribeBody(), true);
    }

    public boolean hasUnsubscribe() {
        return unsubscribe != null;
    }

    public OutboundRequest subscribeRequest(Exchange exchange) {
        return subscribe.evaluate(exchange);
    }

    /**
     * An unsubscribe request kept by the wait store, with the headers it was kept without (their names are taken for
     * secrets) added again from the endpoint's unsubscribeHeader options, where those resolve without the original
     * exchange (a constant, a property placeholder).
     */
    public OutboundRequest restoreUnsubscribe(OutboundRequest stored) {
        return unsubscribe == null ? stored
                : unsubscribe.withMissingHeaders(stored, new DefaultExchange(context));
    }

    /**
     * Resolves the unsubscribe request once the subscribe response is known; {@code null} when the endpoint has no
     * unsubscribe URI.
     *
     * @param scratch an exchange of the caller's own with the callback URL variables, which this sets the subscribe
     *                response variables on
     */
    public OutboundRequest unsubscribeRequest(Exchange scratch, Response response) {
        if (unsubscribe == null) {
            return null;
        }
        scratch.setVariable(LogicWebhookConstants.VAR_SUBSCRIPTION, parseBody(response.body()));
        scratch.setVariable(LogicWebhookConstants.VAR_SUBSCRIPTION_LOCATION, response.location());
        scratch.setVariable(LogicWebhookConstants.VAR_SUBSCRIPTION_STATUS, response.status());
        return unsubscribe.evaluate(scratch);
    }

    /** Sends a request once; any answer but 2xx, or none, is an exception. */
    private Response send(Sender sender, OutboundRequest request, String name, String trackingId)
            throws LogicWebhookSubscriptionException {
        checkAllowedHost(request);
        Exchange exchange = new DefaultExchange(context, ExchangePattern.InOut);
        Message in = exchange.getIn();
        // the enum: camel-http's lookup of a String method is a measurable share of each request
        in.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(request.method()));
        in.setHeader(Exchange.HTTP_URI, request.uri());
        in.setHeader(LogicWebhookConstants.OPERATION_NAME_HEADER, name);
        in.setHeader(LogicWebhookConstants.CLIENT_TRACKING_ID_HEADER, trackingId);
        String authorization = sender.authentication().authorizationHeader();
        if (authorization != null) {
            in.setHeader("Authorization", authorization);
        }
        request.headers().forEach(in::setHeader);
        in.setBody(request.body());
        try {
            sender.producer().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        String what = request.method() + " " + request.safeUri();
        if (exchange.getException() != null) {
            Throwable e = innermostWithMessage(exchange.getException());
            // masked too: a client's message may quote a URI that carries a callback URL
            throw new LogicWebhookSubscriptionException(
                    what + " failed: " + e.getClass().getSimpleName() + ": " + mask(String.valueOf(e.getMessage())), 0,
                    null, exchange.getException());
        }
        Message out = exchange.getMessage();
        int status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = out.getBody(String.class);
        String location = out.getHeader("Location", String.class);
        if (status < 200 || status > 299) {
            throw new LogicWebhookSubscriptionException(
                    what + " answered " + answer(status, body, location), status, body, out.getHeader("Retry-After",
                            String.class),
                    LogicWebhookSubscriptionException.isRetryableStatus(status), null);
        }
        return new Response(status, body, location);
    }

    /** A failed answer for a message: a redirect says where it pointed (no query), as it is never followed. */
    private static String answer(int status, String body, String location) {
        if (status < 300 || status > 399) {
            return status + ": " + excerpt(body);
        }
        String to = location == null ? "" : " to " + OutboundRequest.safeUri(location);
        return status + " (redirects are not followed)" + to;
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
                request.method() + " " + request.safeUri() + " was not sent: its host is not in allowedHosts", 0, null,
                null, false, null);
    }

    /**
     * Sends a request with the retry policy: the first attempt on the caller's thread, each retry on the worker pool
     * once its delay passed on the component's clock. Holds no thread while it waits.
     *
     * @param  deadline  no retry is made that would start after this time (component clock)
     * @param  wanted    asked before each retry: false ends the sequence (its owner stopped or finished meanwhile)
     * @param  onFailure told of each failed attempt that will be retried
     * @return           the answer, or a {@link LogicWebhookSubscriptionException}: the last failure, or why no retry was
     *                   made
     */
    public CompletableFuture<Response> sendWithRetries(
            OutboundRequest request, String name, String trackingId, long deadline, BooleanSupplier wanted,
            Consumer<LogicWebhookSubscriptionException> onFailure) {
        return start(new Attempts(subscribeSender, request, name, trackingId, deadline, wanted, onFailure, false));
    }

    private static CompletableFuture<Response> start(Attempts attempts) {
        attempts.attempt();
        return attempts.result;
    }

    /** One request and its retries. */
    private final class Attempts implements DueTasks.Task {
        private final Sender sender;
        private final OutboundRequest request;
        private final String name;
        private final String trackingId;
        private final long deadline;
        private final BooleanSupplier wanted;
        private final Consumer<LogicWebhookSubscriptionException> onFailure;
        private final CompletableFuture<Response> result = new CompletableFuture<>();
        /** An unsubscribe: when the application stops before its next retry, it makes that retry at once. */
        private final boolean lastAttemptOnStop;
        private int retries;
        private LogicWebhookSubscriptionException last;
        /** The application's stop ended the retries (after one last attempt that failed too). */
        private volatile boolean cutShort;

        Attempts(Sender sender, OutboundRequest request, String name, String trackingId, long deadline,
                 BooleanSupplier wanted, Consumer<LogicWebhookSubscriptionException> onFailure, boolean lastAttemptOnStop) {
            this.lastAttemptOnStop = lastAttemptOnStop;
            this.sender = sender;
            this.request = request;
            this.name = name;
            this.trackingId = trackingId;
            this.deadline = deadline;
            this.wanted = wanted;
            this.onFailure = onFailure;
        }

        void attempt() {
            if (!sendOnce()) {
                retryLater(last);
            }
        }

        /** @return true when this attempt ended the sequence (answered, or failed in a way no retry helps) */
        private boolean sendOnce() {
            try {
                result.complete(send(sender, request, name, trackingId));
                return true;
            } catch (LogicWebhookSubscriptionException e) {
                last = e;
                return false;
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return true;
            }
        }

        private void retryLater(LogicWebhookSubscriptionException e) {
            long delay = retryPolicy.delayBeforeRetry(retries + 1, e);
            long now = clock.millis();
            if (delay < 0) {
                result.completeExceptionally(retries == 0 ? e : gaveUp(e, " (after " + retries + " retries)"));
            } else if (delay > deadline - now) {
                result.completeExceptionally(gaveUp(e, " (not retried: the next retry, in " + seconds(delay)
                                                       + " s, would come too late)"));
            } else {
                retries++;
                LOG.info("{} of {} failed, retry {} of {} in {} s: {}", request.method(), name, retries,
                        retryPolicy.count(), seconds(delay), e.getMessage());
                onFailure.accept(e);
                dueTasks.schedule(now + delay, this);
            }
        }

        @Override
        public void run() {
            if (wanted.getAsBoolean()) {
                attempt();
            } else {
                result.completeExceptionally(gaveUp(last, " (its retries were called off)"));
            }
        }

        @Override
        public void abandon() {
            if (lastAttemptOnStop && sendOnce()) {
                return;
            }
            cutShort = true;
            result.completeExceptionally(gaveUp(last, " (its retries were given up: the application is stopping)"));
        }
    }

    private static LogicWebhookSubscriptionException gaveUp(LogicWebhookSubscriptionException e, String why) {
        return new LogicWebhookSubscriptionException(
                e.getMessage() + why, e.getStatusCode(), e.getResponseBody(), e.getRetryAfter(), e.isRetryable(), e);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f", millis / 1000.0);
    }

    /**
     * Unsubscribes with the retry policy: the first attempt on the caller's thread (bounded by requestTimeout), retries
     * in the background; when the application stops before the next retry is due, that retry is made at once, and is
     * the last. A final failure is logged with what is needed to clean up by hand, and never thrown: an
     * unsubscribe must not stop a route from stopping.
     * <p>
     * Sent with the unsubscribe's own authentication when the endpoint has one, else with the subscribe's: the
     * credentials come from the endpoint's configuration now, never from the request.
     *
     * @return completes when it is over: true when it was answered or failed for good, false when the application's
     *         stop cut its retries short (the next start may send it again)
     */
    public CompletableFuture<Boolean> unsubscribe(OutboundRequest request, String name, String trackingId) {
        return unsubscribe(request, name, trackingId, false);
    }

    /**
     * {@link #unsubscribe(OutboundRequest, String, String)}; {@code again}: the request may have been answered before (a
     * node that crashed may have sent it), so a 404 or 410 says the subscription is gone, not that it failed.
     */
    public CompletableFuture<Boolean> unsubscribe(OutboundRequest request, String name, String trackingId, boolean again) {
        Attempts attempts = new Attempts(unsubscribeSender, request, name, trackingId, Long.MAX_VALUE, () -> true, e -> {
        }, true);
        return start(attempts).handle((response, failure) -> {
            if (failure == null) {
                LOG.debug("Unsubscribed {} with {} {}", name, request.method(), request.safeUri());
                return true;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (again && cause instanceof LogicWebhookSubscriptionException e
                && (e.getStatusCode() == 404 || e.getStatusCode() == 410)) {
                LOG.debug("{} was unsubscribed before ({} {} answered {})", name, request.method(), request.safeUri(),
                        e.getStatusCode());
                return true;
            }
            statistics.unsubscribeFailed(cause.getMessage(), clock.millis());
            LOG.warn("Could not unsubscribe {} (tracking id {}); the subscription may still exist at the service: {}",
                    name, trackingId, cause.getMessage());
            return !attempts.cutShort;
        });
    }

    @Override
    protected void doStart() throws Exception {
        subscribeSender = open(Authentication.ofSubscribe(configuration));
        Authentication unsubscribeAuthentication = Authentication.ofUnsubscribe(configuration);
        // never a mix of the two: a set of the unsubscribe's own replaces the subscribe's whole
        unsubscribeSender = unsubscribe != null && unsubscribeAuthentication.isSet()
                ? open(unsubscribeAuthentication) : subscribeSender;
    }

    private Sender open(Authentication authentication) throws Exception {
        Map<String, Object> options = new HashMap<>();
        options.put("throwExceptionOnFailure", false);
        options.put("followRedirects", false);
        // the retry policy is ours: the HTTP client's own would retry a 429 or 503 once more, unseen and unbounded by it
        options.put("httpClientConfigurer", (HttpClientConfigurer) HttpClientBuilder::disableAutomaticRetries);
        Timeout timeout = Timeout.ofMilliseconds(configuration.getRequestTimeout());
        options.put("connectTimeout", timeout);
        options.put("responseTimeout", timeout);
        options.put("connectionRequestTimeout", timeout);
        authentication.addTo(options);
        Endpoint endpoint = context.getComponent("http").createEndpoint("http://logicwebhook.invalid", options);
        Producer producer = endpoint.createProducer();
        ServiceHelper.startService(endpoint, producer);
        return new Sender(authentication, endpoint, producer);
    }

    @Override
    protected void doStop() throws Exception {
        // one may be the other, or missing after a failed start
        for (Sender sender : Arrays.asList(unsubscribeSender, subscribeSender)) {
            if (sender != null) {
                ServiceHelper.stopService(sender.producer(), sender.endpoint());
            }
        }
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

    public static Object parseBody(String body) {
        if (body == null || body.isBlank()) {
            return body;
        }
        try {
            return RequestTemplate.JSON.readValue(body, Object.class);
        } catch (Exception e) {
            return body;
        }
    }

    private static String mask(String text) {
        return SIGNATURE.matcher(text).replaceAll("$1…");
    }

    /** A one-line start of an answer, with any signature a service echoes back (our callback URL) masked. */
    static String excerpt(String body) {
        if (body == null || body.isEmpty()) {
            return "(no body)";
        }
        String line = mask(body.replaceAll("\\s+", " ").trim());
        return line.length() <= EXCERPT ? line : line.substring(0, EXCERPT) + "…";
    }
}

package org.apache.camel.component.logicwebhook.callback;

import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.logicwebhook.LogicWebhookStoreException;
import org.apache.camel.component.logicwebhook.observability.ComponentStatistics;
import org.apache.camel.component.logicwebhook.observability.RepeatedWarning;
import org.apache.camel.spi.RestConsumerFactory;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every callback of the component under one base path, and hands each one to the trigger or the wait its path
 * names. A callback never waits for the HTTP engine's workers, which the application's own requests may all be holding:
 * <ol>
 * <li>{@link #admit} runs on the engine's own thread (on Vert.x the event loop) and never blocks: the path, the URL's
 * signature and expiry, the handshakes, the declared length;</li>
 * <li>the engine reads the body without a thread (Vert.x: {@link VertxCallbackRoute}; Spring Boot: the starter's
 * servlet, with non-blocking reads), within {@code maxBodySize} and a time limit;</li>
 * <li>{@link #complete} hands the accepted callback to the component's own pool, and its answer is written when the
 * trigger's route or the wait has taken it.</li>
 * </ol>
 * Where neither path is available (another platform-http engine), a platform-http consumer created with the runtime's
 * {@link RestConsumerFactory} serves the base path instead ({@link #process}). Answers are written in one place per
 * engine; no exception and no stack trace reach the sender.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class CallbackDispatcher extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackDispatcher.class);
    /** While the wait store is down, every callback is answered 503: said once a minute at WARN, not once each. */
    private static final RepeatedWarning STORE_DOWN_WARNING = new RepeatedWarning(LOG);
    /** A defect (of ours, or of a custom store) that every callback meets: said once a minute, with its stack trace. */
    private static final RepeatedWarning UNEXPECTED_ERROR = new RepeatedWarning(LOG);
    private static final boolean VERTX_WEB = isPresent("io.vertx.ext.web.Router")
            && isPresent("org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter");
    private static final CallbackAnswer FAILED = CallbackAnswer.of(500, "callback could not be processed; retry later");
    private static final CallbackAnswer STORE_DOWN = CallbackAnswer.unavailable("wait store unavailable; retry later");
    private static final CallbackAnswer NOT_RUNNING_HERE
            = CallbackAnswer.unavailable("trigger does not run on this node now; retry later");
    private static final CallbackAnswer MALFORMED = CallbackAnswer.of(400, "malformed query string");
    private static final long MALFORMED_WARNING_INTERVAL = TimeUnit.MINUTES.toNanos(1);

    /** What {@link #admit} decided: an answer now, or a callback whose body is wanted. */
    public static final class Admission {
        final CallbackAnswer answer;
        final CallbackRequest request;
        final CallbackHandler target;

        private Admission(CallbackAnswer answer, CallbackRequest request, CallbackHandler target) {
            this.answer = answer;
            this.request = request;
            this.target = target;
        }

        /** The answer to give now, or {@code null} when the body is wanted. */
        public CallbackAnswer answer() {
            return answer;
        }
    }

    private final CamelContext context;
    private final String basePath;
    private final long maxBodySize;
    private final long bodyTimeout;
    private final CallbackSigner signer;
    private final Clock clock;
    private final WaitCallbacks waits;
    private final Executor pool;
    private final ComponentStatistics statistics;
    private final Map<String, CallbackHandler> triggers = new ConcurrentHashMap<>();
    private final Predicate<String> knownEndpoint;
    private final SubscriptionHandshake handshake;
    /** How the base path is served once it is: the Vert.x route, the servlet (nothing to stop) or the fallback. */
    private volatile Object serving;
    private final AtomicLong lastMalformedWarning = new AtomicLong();

    /**
     * @param waits the action's waits
     * @param pool  where accepted callbacks run: the component's worker pool, never the HTTP engine's
     */
    public CallbackDispatcher(CamelContext context, String basePath, long maxBodySize, long bodyTimeout,
                              CallbackSigner signer, Clock clock, WaitCallbacks waits, Executor pool,
                              ComponentStatistics statistics, Predicate<String> knownEndpoint) {
        this.knownEndpoint = knownEndpoint;
        this.context = context;
        this.basePath = basePath;
        this.maxBodySize = maxBodySize;
        this.bodyTimeout = bodyTimeout;
        this.signer = signer;
        this.clock = clock;
        this.waits = waits;
        this.pool = pool;
        this.statistics = statistics;
        this.handshake = new SubscriptionHandshake(clock);
    }

    public SubscriptionHandshake getHandshake() {
        return handshake;
    }

    public String getBasePath() {
        return basePath;
    }

    public long getMaxBodySize() {
        return maxBodySize;
    }

    /** How long a sender may take to send a body once its request was admitted. */
    public long getBodyTimeout() {
        return bodyTimeout;
    }

    /** A trigger's path goes live (and the base path, the first time). */
    public void register(String name, CallbackHandler trigger) throws Exception {
        CallbackHandler existing = triggers.putIfAbsent(name, trigger);
        if (existing != null && existing != trigger) {
            throw new IllegalStateException(
                    "Another logicwebhook trigger named " + name + " is running; trigger names must be unique");
        }
        ensureServing();
    }

    public void unregister(String name, CallbackHandler trigger) {
        triggers.remove(name, trigger);
    }

    /**
     * Serves the base path when the HTTP engine is ready; when it is not yet, the next occasion does (the context's
     * started event, a trigger's start, an action's first exchange).
     */
    public void serveIfReady() {
        try {
            ensureServing();
        } catch (Exception e) {
            LOG.debug("The callback path is not served yet: {}", e.getMessage());
        }
    }

    /** Serves the base path, once: the runtime's servlet, a route on Vert.x's router, or a platform-http consumer. */
    public void ensureServing() throws Exception {
        if (serving == null) {
            startServing();
        }
    }

    private synchronized void startServing() throws Exception {
        if (serving != null) {
            return;
        }
        if (!context.getRegistry().findByType(CallbackServer.class).isEmpty()) {
            serving = CallbackServer.class;
            LOG.debug("logicwebhook callbacks under {} are served by the runtime's own callback server", basePath);
            return;
        }
        if (VERTX_WEB) {
            Object route = VertxCallbackRoute.attach(context, this);
            if (route != null) {
                serving = route;
                LOG.debug("Serving logicwebhook callbacks under {} on the Vert.x router's event loop", basePath);
                return;
            }
        }
        serving = startPlatformHttpConsumer();
        LOG.debug("Serving logicwebhook callbacks under {} through a platform-http consumer", basePath);
    }

    private org.apache.camel.Consumer startPlatformHttpConsumer() throws Exception {
        // the component resolved it while the context initialized (Camel JBang cannot create it later)
        Component platformHttp = context.getComponent("platform-http");
        if (!(platformHttp instanceof RestConsumerFactory factory)) {
            throw new IllegalStateException(
                    "logicwebhook serves its callbacks with camel-platform-http: add camel-platform-http-main (Camel"
                                            + " Main; with Camel JBang run with --port or camel.server.enabled=true),"
                                            + " camel-platform-http-starter (Spring Boot) or camel-quarkus-platform-http"
                                            + " (Quarkus)");
        }
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("matchOnUriPrefix", "true");
        parameters.put("muteException", "true");
        org.apache.camel.Consumer consumer = factory.createConsumer(context, this, null, basePath, null, null, null,
                context.getRestConfiguration(), parameters);
        ServiceHelper.startService(consumer);
        return consumer;
    }

    /**
     * The first look at a request, on the HTTP engine's thread: decides all that needs neither its body nor a blocking
     * call.
     *
     * @param path           the request's (normalized) path
     * @param rawQuery       its query string as sent, or {@code null}
     * @param headers        its headers, case-insensitive
     * @param declaredLength its Content-Length, or -1
     */
    public Admission admit(String method, String path, String rawQuery, Map<String, Object> headers, long declaredLength) {
        CallbackRequest request;
        try {
            request = CallbackRequest.parse(method, path, rawQuery, headers, basePath);
        } catch (IllegalArgumentException e) {
            warnMalformed();
            return answer(MALFORMED);
        }
        if (request == null) {
            return answer(CallbackAnswer.UNKNOWN);
        }
        if (!signer.verify(request.path, request.expires, request.signature)) {
            return answer(CallbackAnswer.of(401, "missing or invalid signature"));
        }
        if (request.expired(clock.millis())) {
            return answer(CallbackAnswer.of(410, "callback URL expired"));
        }
        CallbackHandler target = request.isTrigger() ? triggers.get(request.name) : waits.pending(request.name, request.id);
        CallbackAnswer handshakeAnswer = handshake.answer(request, target);
        if (handshakeAnswer != null) {
            return answer(handshakeAnswer);
        }
        if (target == null && request.isTrigger()) {
            // a signed trigger URL of an endpoint this application has, whose trigger does not run here now: a
            // follower of a cluster (the leader subscribed), or a route that is stopped. The sender retries, and a load
            // balancer may reach the node that runs it.
            return answer(knownEndpoint.test(request.name) ? NOT_RUNNING_HERE : CallbackAnswer.UNKNOWN);
        }
        if (declaredLength > maxBodySize) {
            return answer(CallbackAnswer.of(413, "body too large"));
        }
        return new Admission(null, request, target);
    }

    /** One line, no stack trace, at most once a minute: a sender must not be able to fill the log. */
    private void warnMalformed() {
        long now = System.nanoTime();
        long last = lastMalformedWarning.get();
        if ((last == 0 || now - last > MALFORMED_WARNING_INTERVAL) && lastMalformedWarning.compareAndSet(last, now)) {
            LOG.warn("A logicwebhook callback with a malformed query string was refused (400); more are refused quietly"
                     + " for a minute");
        }
    }

    private static Admission answer(CallbackAnswer answer) {
        return new Admission(answer, null, null);
    }

    /**
     * The body of an admitted callback arrived: the callback runs on the component's pool, and {@code respond} gets its
     * answer there (or on the thread that completes a trigger's route).
     */
    public void complete(Admission admission, byte[] body, Consumer<CallbackAnswer> respond) {
        CallbackRequest request = admission.request;
        request.body = body;
        try {
            pool.execute(() -> handOver(request, admission.target).whenComplete((answer, failure) -> {
                if (failure != null) {
                    UNEXPECTED_ERROR.warn("Unexpected error answering a logicwebhook callback: {}", failure.getMessage(),
                            failure);
                }
                respond.accept(failure != null ? FAILED : answer);
            }));
        } catch (RuntimeException e) {
            // the pool is gone: the component is stopping
            respond.accept(CallbackAnswer.unavailable("stopping; retry later"));
        }
    }

    /** The checks every endpoint asks for (availability, method, payload signature), then the trigger or the wait. */
    private CompletionStage<CallbackAnswer> handOver(CallbackRequest request, CallbackHandler found) {
        CallbackHandler target = found;
        try {
            if (target == null) {
                // only the store may know it: this may block, and runs on the pool
                target = waits.notPending(request.name, request.id);
            }
            CallbackAnswer unavailable = target.unavailable();
            if (unavailable != null) {
                return CompletableFuture.completedFuture(unavailable);
            }
            String methods = target.configuration().getCallbackMethods();
            if (!allowsMethod(methods, request.method)) {
                return CompletableFuture.completedFuture(CallbackAnswer.notAllowed(methods));
            }
            PayloadSignatureVerifier verifier = target.payloadVerifier();
            if (verifier != null) {
                PayloadSignatureVerifier.Result result = verifier.verify(request::header, request.body);
                if (!result.ok()) {
                    return CompletableFuture.completedFuture(
                            CallbackAnswer.of(result.reason().startsWith("replayed") ? 409 : 401, result.reason()));
                }
            }
            return target.onCallback(request).thenApply(answer -> {
                if (verifier != null && !answer.isSuccess()) {
                    // verified but not taken: its sender will retry it, with the same delivery id
                    verifier.forget(request::header);
                }
                return answer;
            });
        } catch (LogicWebhookStoreException e) {
            STORE_DOWN_WARNING.warn("logicwebhook:{}: a callback was answered 503: {}", request.name, e.getMessage());
            return CompletableFuture.completedFuture(STORE_DOWN);
        } catch (RuntimeException e) {
            // answered all the same (a custom wait store, a pool that throws unchecked): a request left unanswered would
            // hold its connection, and on a servlet container its async context, for good
            return CompletableFuture.failedFuture(e);
        }
    }

    static boolean allowsMethod(String allowedMethods, String method) {
        for (String allowed : allowedMethods.split(",")) {
            // HTTP methods are case-sensitive: "post" is not POST
            if (allowed.trim().toUpperCase(Locale.ROOT).equals(method)) {
                return true;
            }
        }
        return false;
    }

    /** Counts an answer for the endpoint the path names (JMX, metrics). */
    public void count(String path, int status) {
        statistics.callbackAnswered(path, basePath, status);
    }

    /**
     * The fallback: a request that a platform-http consumer (of an engine this component has no path of its own for)
     * handed over, body read. Its thread waits for the answer.
     */
    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        String path = message.getHeader(Exchange.HTTP_PATH, String.class);
        String query = message.getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (query == null) {
            query = message.getHeader(Exchange.HTTP_QUERY, String.class);
        }
        CallbackAnswer answer;
        try {
            Admission admission = admit(message.getHeader(Exchange.HTTP_METHOD, String.class), path, query,
                    message.getHeaders(), declaredLength(message));
            answer = admission.answer;
            if (answer == null) {
                byte[] body = message.getBody(byte[].class);
                if (body != null && body.length > maxBodySize) {
                    answer = CallbackAnswer.of(413, "body too large");
                } else {
                    CompletableFuture<CallbackAnswer> answered = new CompletableFuture<>();
                    complete(admission, body != null ? body : new byte[0], answered::complete);
                    answer = answered.join();
                }
            }
        } catch (RuntimeException e) {
            // a defect of ours must not turn into a stack trace for the sender, who will retry on 5xx
            UNEXPECTED_ERROR.warn("Unexpected error answering a logicwebhook callback: {}", e.getMessage(), e);
            answer = FAILED;
        }
        write(message, answer);
        count(path, answer.status());
    }

    /** Writes the answer on the fallback path: no header of the request is echoed back to the sender. */
    private static void write(Message message, CallbackAnswer answer) {
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        if (answer.text() != null) {
            message.setHeader(Exchange.CONTENT_TYPE, CallbackAnswer.TEXT);
        }
        answer.headers().forEach(message::setHeader);
        message.setBody(answer.text());
    }

    /**
     * The Content-Length the sender gave, or -1. Read leniently: platform-http merges query parameters and form fields
     * into the headers, so the value may be anything a caller put there.
     */
    private static long declaredLength(Message message) {
        Object value = message.getHeader(Exchange.CONTENT_LENGTH);
        if (value instanceof Number number) {
            return number.longValue();
        }
        return value instanceof String text ? parseLength(text) : -1;
    }

    /** A Content-Length value, or -1 when it is not a number. */
    public static long parseLength(String text) {
        if (text == null) {
            return -1;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, CallbackDispatcher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    protected void doStop() throws Exception {
        Object current = serving;
        serving = null;
        if (current instanceof org.apache.camel.Consumer consumer) {
            ServiceHelper.stopAndShutdownService(consumer);
        } else if (current instanceof AutoCloseable route) {
            route.close();
        }
        triggers.clear();
    }
}

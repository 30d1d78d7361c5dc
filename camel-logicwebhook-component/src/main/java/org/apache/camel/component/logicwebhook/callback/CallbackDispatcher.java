package org.apache.camel.component.logicwebhook.callback;

import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.logicwebhook.observability.ComponentStatistics;
import org.apache.camel.spi.RestConsumerFactory;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every callback of the component under one base path, through a platform-http consumer created with the
 * runtime's own {@link RestConsumerFactory} (Vert.x in Camel Main, the servlet engine in Spring Boot, Quarkus' router
 * in Quarkus), and hands each request to the trigger or the waiting exchange its path names. It answers the sender
 * itself; no exception and no stack trace reach the HTTP side.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class CallbackDispatcher extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackDispatcher.class);
    /** Whether platform-http may hand over an unread Vert.x request (useBodyHandler=false). */
    private static final boolean VERTX = isPresent("io.vertx.core.http.HttpServerRequest");
    /** How long a sender may take to send a body once its request was accepted. */
    private static final long BODY_TIMEOUT = 30_000;
    /** How much of a refused body is read and dropped (at least) rather than the connection closed. */
    private static final long DRAIN_LIMIT = 1_048_576;

    private final CamelContext context;
    private final String basePath;
    private final long maxBodySize;
    private final CallbackSigner signer;
    private final Clock clock;
    private final WaitCallbacks waits;
    private final ComponentStatistics statistics;
    private final Map<String, CallbackHandler> triggers = new ConcurrentHashMap<>();
    private final SubscriptionHandshake handshake;
    private volatile Consumer httpConsumer;

    /**
     * @param waits finds the action's pending waits
     */
    public CallbackDispatcher(CamelContext context, String basePath, long maxBodySize, CallbackSigner signer, Clock clock,
                       WaitCallbacks waits, ComponentStatistics statistics) {
        this.context = context;
        this.basePath = basePath;
        this.maxBodySize = maxBodySize;
        this.signer = signer;
        this.clock = clock;
        this.waits = waits;
        this.statistics = statistics;
        this.handshake = new SubscriptionHandshake(clock);
    }

    public SubscriptionHandshake getHandshake() {
        return handshake;
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

    /** Starts the platform-http consumer of the base path, once. */
    public void ensureServing() throws Exception {
        if (httpConsumer == null) {
            startServing();
        }
    }

    private synchronized void startServing() throws Exception {
        if (httpConsumer != null) {
            return;
        }
        Component platformHttp = context.getComponent("platform-http", true);
        if (!(platformHttp instanceof RestConsumerFactory factory)) {
            throw new IllegalStateException(
                    "logicwebhook serves its callbacks with camel-platform-http: add camel-platform-http-main (Camel"
                                            + " Main), camel-platform-http-starter (Spring Boot) or"
                                            + " camel-quarkus-platform-http (Quarkus)");
        }
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("matchOnUriPrefix", "true");
        parameters.put("muteException", "true");
        // the body is read by the dispatcher, once the signature is checked: see VertxRequestBody
        parameters.put("useBodyHandler", "false");
        Consumer consumer = factory.createConsumer(context, this, null, basePath, null, null, null,
                context.getRestConfiguration(), parameters);
        ServiceHelper.startService(consumer);
        httpConsumer = consumer;
        LOG.debug("Serving logicwebhook callbacks under {}", basePath);
    }

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        // read before the answer clears the request's headers
        String path = message.getHeader(Exchange.HTTP_PATH, String.class);
        Object unread = VERTX && VertxRequestBody.isUnreadRequest(message.getBody()) ? message.getBody() : null;
        CallbackAnswer answer;
        try {
            answer = dispatch(message);
        } catch (Exception e) {
            // a defect of ours must not turn into a stack trace for the sender, who will retry on 5xx
            LOG.warn("Unexpected error answering a logicwebhook callback: {}", e.getMessage(), e);
            answer = CallbackAnswer.of(500, "callback could not be processed; retry later");
        }
        write(message, answer);
        if (unread != null) {
            VertxRequestBody.leaveUnread(unread, Math.max(maxBodySize, DRAIN_LIMIT));
        }
        // counted for the endpoint its path names (JMX, metrics)
        statistics.callbackAnswered(path, basePath, answer.status());
    }

    private CallbackAnswer dispatch(Message message) {
        CallbackRequest request = CallbackRequest.parse(message, basePath);
        if (request == null) {
            return CallbackAnswer.UNKNOWN;
        }
        if (!signer.verify(request.path, request.expires, request.signature)) {
            return CallbackAnswer.of(401, "missing or invalid signature");
        }
        if (request.expired(clock.millis())) {
            return CallbackAnswer.of(410, "callback URL expired");
        }
        CallbackHandler target = request.isTrigger() ? triggers.get(request.name) : waits.pending(request.name, request.id);
        CallbackAnswer handshakeAnswer = handshake.answer(request, target);
        if (handshakeAnswer != null) {
            return handshakeAnswer;
        }
        int refused = readBody(message, request);
        if (refused != 0) {
            return CallbackAnswer.of(refused, refused == 413 ? "body too large" : "body not received");
        }
        if (target == null) {
            if (request.isTrigger()) {
                return CallbackAnswer.UNKNOWN;
            }
            target = waits.notPending(request.name, request.id);
        }
        return handOver(request, target);
    }

    /** The checks every endpoint asks for (availability, method, payload signature), then the trigger or the wait. */
    private static CallbackAnswer handOver(CallbackRequest request, CallbackHandler target) {
        CallbackAnswer unavailable = target.unavailable();
        if (unavailable != null) {
            return unavailable;
        }
        String methods = target.configuration().getCallbackMethods();
        if (!allowsMethod(methods, request.method)) {
            return CallbackAnswer.notAllowed(methods);
        }
        PayloadSignatureVerifier verifier = target.payloadVerifier();
        if (verifier != null) {
            PayloadSignatureVerifier.Result result = verifier.verify(request::header, request.body);
            if (!result.ok()) {
                return CallbackAnswer.of(result.reason().startsWith("replayed") ? 409 : 401, result.reason());
            }
        }
        CallbackAnswer answer = target.onCallback(request);
        if (verifier != null && !answer.isSuccess()) {
            // verified but not taken: its sender will retry it, with the same delivery id
            verifier.forget(request::header);
        }
        return answer;
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

    /**
     * Reads the body once the request is known to be ours; refuses one over maxBodySize, by its Content-Length before
     * reading when the sender gives one, and by what arrived otherwise (on Vert.x without reading past the limit).
     *
     * @return the status to answer when the body cannot be taken, or 0
     */
    private int readBody(Message message, CallbackRequest request) {
        long max = maxBodySize;
        if (declaredLength(message) > max) {
            return 413;
        }
        Object raw = message.getBody();
        byte[] body;
        if (VERTX && VertxRequestBody.isUnreadRequest(raw)) {
            try {
                body = VertxRequestBody.read(raw, max, BODY_TIMEOUT);
            } catch (TimeoutException e) {
                return 408;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 503;
            } catch (ExecutionException e) {
                // the sender went away while sending: it will not read the answer
                return 408;
            }
            if (body == null) {
                return 413;
            }
        } else {
            body = message.getBody(byte[].class);
        }
        request.body = body != null ? body : new byte[0];
        return request.body.length <= max ? 0 : 413;
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
        if (value instanceof String text) {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, CallbackDispatcher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Writes the answer: no header of the request may be echoed back to the sender. */
    private static void write(Message message, CallbackAnswer answer) {
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        if (answer.text() != null) {
            message.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        }
        answer.headers().forEach(message::setHeader);
        message.setBody(answer.text());
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopAndShutdownService(httpConsumer);
        httpConsumer = null;
        triggers.clear();
    }
}

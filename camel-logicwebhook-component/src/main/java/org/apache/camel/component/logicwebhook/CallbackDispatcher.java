package org.apache.camel.component.logicwebhook;

import java.util.HashMap;
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
 */
final class CallbackDispatcher extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackDispatcher.class);
    /** Whether platform-http may hand over an unread Vert.x request (useBodyHandler=false). */
    private static final boolean VERTX = isPresent("io.vertx.core.http.HttpServerRequest");
    /** How long a sender may take to send a body once its request was accepted. */
    private static final long BODY_TIMEOUT = 30_000;
    /** How much of a refused body is read and dropped (at least) rather than the connection closed. */
    private static final long DRAIN_LIMIT = 1_048_576;

    private final LogicWebhookComponent component;
    private final Map<String, LogicWebhookConsumer> triggers = new ConcurrentHashMap<>();
    private final SubscriptionHandshake handshake;
    private volatile Consumer httpConsumer;

    CallbackDispatcher(LogicWebhookComponent component) {
        this.component = component;
        this.handshake = new SubscriptionHandshake(component);
    }

    SubscriptionHandshake getHandshake() {
        return handshake;
    }

    void register(LogicWebhookConsumer trigger) throws Exception {
        String name = trigger.getEndpoint().getName();
        LogicWebhookConsumer existing = triggers.putIfAbsent(name, trigger);
        if (existing != null && existing != trigger) {
            throw new IllegalStateException(
                    "Another logicwebhook trigger named " + name + " is running; trigger names must be unique");
        }
        ensureServing();
    }

    void unregister(LogicWebhookConsumer trigger) {
        triggers.remove(trigger.getEndpoint().getName(), trigger);
    }

    /** Starts the platform-http consumer of the base path, once. */
    void ensureServing() throws Exception {
        if (httpConsumer == null) {
            startServing();
        }
    }

    private synchronized void startServing() throws Exception {
        if (httpConsumer != null) {
            return;
        }
        CamelContext context = component.getCamelContext();
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
        Consumer consumer = factory.createConsumer(context, this, null, component.getCallbackBasePath(), null, null, null,
                context.getRestConfiguration(), parameters);
        ServiceHelper.startService(consumer);
        httpConsumer = consumer;
        LOG.debug("Serving logicwebhook callbacks under {}", component.getCallbackBasePath());
    }

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        // read before the answer clears the request's headers
        String path = message.getHeader(Exchange.HTTP_PATH, String.class);
        Object unread = VERTX && VertxRequestBody.isUnreadRequest(message.getBody()) ? message.getBody() : null;
        try {
            dispatch(exchange, message);
        } catch (Exception e) {
            // a defect of ours must not turn into a stack trace for the sender, who will retry on 5xx
            LOG.warn("Unexpected error answering a logicwebhook callback: {}", e.getMessage(), e);
            respond(message, 500, "callback could not be processed; retry later");
        }
        if (unread != null) {
            VertxRequestBody.leaveUnread(unread, Math.max(component.getMaxBodySize(), DRAIN_LIMIT));
        }
        count(path, message);
    }

    /** Counts the callback by the status of its answer, for the endpoint its path names (JMX, metrics). */
    private void count(String path, Message message) {
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE) instanceof Integer code ? code : 0;
        component.getStatistics().callbackAnswered(path, component.getCallbackBasePath(), status);
    }

    private void dispatch(Exchange exchange, Message message) {
        CallbackRequest request = CallbackRequest.parse(message, component.getCallbackBasePath());
        if (request == null) {
            respond(message, 404, "unknown callback");
            return;
        }
        if (!component.getSigner().verify(request.path, request.expires, request.signature)) {
            respond(message, 401, "missing or invalid signature");
            return;
        }
        if (request.expired(component.getClock().millis())) {
            respond(message, 410, "callback URL expired");
            return;
        }
        if (handshake.answered(message, request, triggers.get(request.name))) {
            return;
        }
        int refused = readBody(message, request);
        if (refused != 0) {
            respond(message, refused, refused == 413 ? "body too large" : "body not received");
            return;
        }
        if (request.isTrigger()) {
            LogicWebhookConsumer trigger = triggers.get(request.name);
            if (trigger == null) {
                respond(message, 404, "unknown callback");
            } else {
                trigger.onCallback(exchange, request);
            }
        } else {
            LogicWebhookProducer.onCallback(component.getWaitRegistry(), exchange, request);
        }
    }

    /**
     * Reads the body once the request is known to be ours; refuses one over maxBodySize, by its Content-Length before
     * reading when the sender gives one, and by what arrived otherwise (on Vert.x without reading past the limit).
     *
     * @return the status to answer when the body cannot be taken, or 0
     */
    private int readBody(Message message, CallbackRequest request) {
        long max = component.getMaxBodySize();
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

    /** Writes an answer of the dispatcher's own: no header of the request may be echoed back to the sender. */
    static void respond(Message message, int status, String text) {
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (text != null) {
            message.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        }
        message.setBody(text);
    }

    static void respondNotAllowed(Message message, String allowed) {
        respond(message, 405, "method not allowed");
        message.setHeader("Allow", allowed);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopAndShutdownService(httpConsumer);
        httpConsumer = null;
        triggers.clear();
    }
}

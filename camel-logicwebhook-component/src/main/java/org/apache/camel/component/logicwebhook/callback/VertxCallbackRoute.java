package org.apache.camel.component.logicwebhook.callback;

import java.util.List;
import java.util.Map;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.util.CaseInsensitiveMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callback path on Vert.x (Camel Main, Camel JBang, Quarkus): a route of its own on the router that
 * camel-platform-http-vertx binds, whose handler runs on the event loop and never blocks. The request is checked there,
 * its body read as it arrives (within maxBodySize, and a time limit: a slow or stalled sender costs a timer, not a
 * thread), and only an accepted callback goes to the component's pool. Vert.x's worker pool, which platform-http routes
 * hold while they wait, is never used.
 * <p>
 * An answer given before the body was read (a refused signature, a body too large) leaves the sender still sending:
 * what it sends is read and dropped, so that it can read the answer (RFC 9112 §9.6). A body up to 1 MiB keeps the
 * connection; a longer or unknown one is answered {@code Connection: close}, read for at most 16 MiB and 5 seconds, and
 * the connection closed after it.
 * <p>
 * Only {@link CallbackDispatcher} refers to this class, and only when Vert.x Web and camel-platform-http-vertx are on
 * the classpath.
 */
final class VertxCallbackRoute implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VertxCallbackRoute.class);
    /** A refused body up to this is read and dropped, and the connection kept. */
    private static final long DRAIN_LIMIT = 1_048_576;
    /** A longer refused body is read and dropped up to this, then the connection is closed. */
    private static final long LINGER_LIMIT = 16 * DRAIN_LIMIT;
    private static final long LINGER_MILLIS = 5_000;
    /**
     * Before camel.server's own handlers (authentication, CORS) and any platform-http route on the same prefix: a
     * callback authenticates by its signed URL, and no route of the application may take it.
     */
    private static final int ORDER = -1;

    private final Route route;
    private final CallbackDispatcher dispatcher;

    private VertxCallbackRoute(Route route, CallbackDispatcher dispatcher) {
        this.route = route;
        this.dispatcher = dispatcher;
    }

    /**
     * Adds the callback route to the platform-http router, if there is one.
     *
     * @return the route (closed to take it down), or {@code null} when no Vert.x router is bound
     */
    static VertxCallbackRoute attach(CamelContext context, CallbackDispatcher dispatcher) {
        VertxPlatformHttpRouter router = findRouter(context);
        if (router == null) {
            return null;
        }
        // the order must be set before the handler: Vert.x refuses to reorder an active route
        Route route = router.route(dispatcher.getBasePath() + "/*").order(ORDER);
        VertxCallbackRoute callbacks = new VertxCallbackRoute(route, dispatcher);
        route.handler(callbacks::handle);
        return callbacks;
    }

    /**
     * The router the engine serves platform-http on, found as the engine finds it: by the server's port, then the
     * router of port 0, then the main server's. Quarkus binds its own router under the name of port 8080.
     */
    private static VertxPlatformHttpRouter findRouter(CamelContext context) {
        Component component = context.hasComponent("platform-http");
        PlatformHttpEngine engine = component instanceof PlatformHttpComponent platformHttp ? platformHttp.getEngine() : null;
        VertxPlatformHttpRouter router = null;
        if (engine != null) {
            router = VertxPlatformHttpRouter.lookup(context,
                    VertxPlatformHttpRouter.getRouterNameFromPort(engine.getServerPort()));
        }
        if (router == null) {
            router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.PLATFORM_HTTP_ROUTER_NAME_ZERO);
        }
        if (router == null) {
            for (VertxPlatformHttpRouter candidate : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
                if (router == null || candidate.isMainServer()) {
                    router = candidate;
                }
            }
        }
        return router;
    }

    /** On the event loop: check, read the body, hand over. */
    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = ctx.normalizedPath();
        long declared = CallbackDispatcher.parseLength(request.getHeader("Content-Length"));
        CallbackDispatcher.Admission admission;
        try {
            admission = dispatcher.admit(request.method().name(), path, request.query(), headers(request), declared);
        } catch (RuntimeException e) {
            LOG.warn("Unexpected error answering a logicwebhook callback: {}", e.getMessage(), e);
            refuse(ctx, path, CallbackAnswer.of(500, "callback could not be processed; retry later"));
            return;
        }
        if (admission.answer() != null) {
            refuse(ctx, path, admission.answer());
            return;
        }
        if (request.isEnded()) {
            // a body handler the runtime installs for every route read it already (some Quarkus extensions)
            RequestBody read = ctx.body();
            Buffer body = read != null ? read.buffer() : null;
            dispatcher.complete(admission, body != null ? body.getBytes() : new byte[0], answer -> respond(ctx, path, answer));
            return;
        }
        readBody(ctx, path, admission);
    }

    private void readBody(RoutingContext ctx, String path, CallbackDispatcher.Admission admission) {
        HttpServerRequest request = ctx.request();
        Vertx vertx = ctx.vertx();
        long max = dispatcher.getMaxBodySize();
        Buffer body = Buffer.buffer();
        // every handler and the timer run on this request's event loop, one at a time
        boolean[] done = { false };
        long timer = vertx.setTimer(dispatcher.getBodyTimeout(), id -> {
            if (!done[0]) {
                done[0] = true;
                refuse(ctx, path, CallbackAnswer.of(408, "body not received"));
            }
        });
        request.handler(chunk -> {
            if (done[0]) {
                return;
            }
            if (body.length() + (long) chunk.length() > max) {
                done[0] = true;
                vertx.cancelTimer(timer);
                refuse(ctx, path, CallbackAnswer.of(413, "body too large"));
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(e -> {
            if (!done[0]) {
                // the sender went away while sending: it reads no answer
                done[0] = true;
                vertx.cancelTimer(timer);
                dispatcher.count(path, 408);
            }
        });
        request.endHandler(end -> {
            if (!done[0]) {
                done[0] = true;
                vertx.cancelTimer(timer);
                dispatcher.complete(admission, body.getBytes(), answer -> respond(ctx, path, answer));
            }
        });
        if (request.version() != HttpVersion.HTTP_1_0 && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            // the sender waits for this before it sends the body
            request.response().writeContinue();
        }
        // Quarkus hands every request over paused
        request.resume();
    }

    /** Answers before the body was read (or while it was), then drops what the sender still sends. */
    private void refuse(RoutingContext ctx, String path, CallbackAnswer answer) {
        HttpServerRequest request = ctx.request();
        if (request.isEnded() || !hasBody(request)) {
            respond(ctx, path, answer);
            return;
        }
        long declared = CallbackDispatcher.parseLength(request.getHeader("Content-Length"));
        boolean close = request.version() != HttpVersion.HTTP_2 && (declared < 0 || declared > DRAIN_LIMIT);
        if (close) {
            ctx.response().putHeader("Connection", "close");
        }
        respond(ctx, path, answer);
        linger(ctx, close);
    }

    private static boolean hasBody(HttpServerRequest request) {
        return CallbackDispatcher.parseLength(request.getHeader("Content-Length")) > 0
               || request.getHeader("Transfer-Encoding") != null || request.version() == HttpVersion.HTTP_2;
    }

    /**
     * Reads and drops the rest of a refused body, within a byte and a time budget; then closes the connection if the
     * answer said so, or the budget ran out (an HTTP/2 stream is reset instead, its connection kept).
     */
    private static void linger(RoutingContext ctx, boolean close) {
        HttpServerRequest request = ctx.request();
        Runnable giveUp = request.version() == HttpVersion.HTTP_2
                ? () -> request.response().reset() : () -> request.connection().close();
        try {
            Vertx vertx = ctx.vertx();
            long[] dropped = { 0 };
            long timer = vertx.setTimer(LINGER_MILLIS, id -> giveUp.run());
            request.handler(chunk -> {
                dropped[0] += chunk.length();
                if (dropped[0] > LINGER_LIMIT) {
                    vertx.cancelTimer(timer);
                    request.handler(null);
                    whenAnswered(request, giveUp);
                }
            });
            request.exceptionHandler(e -> vertx.cancelTimer(timer));
            request.endHandler(end -> {
                vertx.cancelTimer(timer);
                if (close) {
                    whenAnswered(request, giveUp);
                }
            });
            request.resume();
        } catch (RuntimeException e) {
            // the request ended or failed meanwhile: nothing is left to drop
            LOG.debug("A refused callback's body could not be dropped: {}", e.getMessage());
        }
    }

    private static void whenAnswered(HttpServerRequest request, Runnable action) {
        if (request.response().ended()) {
            action.run();
        } else {
            request.response().endHandler(end -> action.run());
        }
    }

    /** Writes the answer (from any thread): status, its short text, the component's own headers only. */
    private void respond(RoutingContext ctx, String path, CallbackAnswer answer) {
        dispatcher.count(path, answer.status());
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        try {
            response.setStatusCode(answer.status());
            answer.headers().forEach(response::putHeader);
            if (answer.text() != null) {
                response.putHeader("Content-Type", CallbackAnswer.TEXT);
                response.end(answer.text());
            } else {
                response.end();
            }
        } catch (IllegalStateException e) {
            // the connection closed meanwhile: nobody reads the answer
            LOG.debug("A logicwebhook callback's answer could not be written: {}", e.getMessage());
        }
    }

    private static Map<String, Object> headers(HttpServerRequest request) {
        Map<String, Object> headers = new CaseInsensitiveMap();
        for (String name : request.headers().names()) {
            List<String> values = request.headers().getAll(name);
            headers.put(name, values.size() == 1 ? values.get(0) : List.copyOf(values));
        }
        return headers;
    }

    @Override
    public void close() {
        route.remove();
    }
}

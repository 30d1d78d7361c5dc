package org.apache.camel.component.logicwebhook.springboot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.apache.camel.component.logicwebhook.callback.CallbackAnswer;
import org.apache.camel.component.logicwebhook.callback.CallbackDispatcher;
import org.apache.camel.component.logicwebhook.callback.CallbackServer;
import org.apache.camel.util.CaseInsensitiveMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The callback path on Spring Boot, served by the servlet container itself rather than through camel-platform-http's
 * DispatcherServlet mapping, whose exchanges run on Spring's task executor (8 threads by default): a platform-http route
 * that waits for an action's callback holds one of those threads, so a callback queued behind them would never come.
 * <p>
 * On the container's thread the request is checked ({@link CallbackDispatcher#admit}, which never blocks); an accepted
 * one goes asynchronous, its body is read with non-blocking reads as it arrives, within {@code maxBodySize} and
 * {@code callbackBodyTimeout} (a slow sender costs a timer, not a thread), and it is handed to the component's pool
 * ({@link CallbackDispatcher#complete}), whose answer is written from whatever thread gives it.
 * <p>
 * An answer given before the body was read leaves the rest of the body to the container: Tomcat reads and drops up to
 * {@code server.tomcat.max-swallow-size} (2 MB) so that the sender can read the answer. A body up to 1 MiB keeps the
 * connection; a longer or unknown one is answered {@code Connection: close}.
 * <p>
 * Being a {@link CallbackServer} bean, it tells the component's dispatcher not to serve the base path itself.
 */
public class LogicWebhookCallbackServlet extends HttpServlet implements CallbackServer {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LogicWebhookCallbackServlet.class);
    /** A refused body up to this keeps the connection (the container drops it); a longer one closes it. */
    static final long DRAIN_LIMIT = 1_048_576;
    private static final CallbackAnswer NOT_READY = CallbackAnswer.unavailable("not ready; retry later");
    private static final CallbackAnswer FAILED = CallbackAnswer.of(500, "callback could not be processed; retry later");
    private static final CallbackAnswer TOO_LARGE = CallbackAnswer.of(413, "body too large");
    private static final CallbackAnswer BODY_TIMEOUT = CallbackAnswer.of(408, "body not received");

    private final String basePath;
    private final transient ObjectProvider<CamelContext> camelContexts;
    private transient volatile CamelContext camelContext;
    private transient volatile ScheduledThreadPoolExecutor timer;
    private final AtomicBoolean warnedBasePath = new AtomicBoolean();

    /**
     * @param basePath      the component's callbackBasePath, which this servlet is mapped under
     * @param camelContexts the application's CamelContext, looked up once a request comes
     */
    public LogicWebhookCallbackServlet(String basePath, ObjectProvider<CamelContext> camelContexts) {
        this.basePath = basePath;
        this.camelContexts = camelContexts;
    }

    public String getBasePath() {
        return basePath;
    }

    @Override
    public void init() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "logicwebhook-callback-body-timer");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        timer = executor;
    }

    @Override
    public void destroy() {
        ScheduledThreadPoolExecutor executor = timer;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // the path below the context path: the dispatcher finds the base path in it
        String path = request.getRequestURI().substring(request.getContextPath().length());
        CallbackDispatcher dispatcher = dispatcher();
        if (dispatcher == null) {
            // Tomcat listens before Camel has started (and after it stopped): the sender should come back; only a
            // started context without the component knows no callback at all
            CamelContext context = camelContext();
            boolean unknown = context != null && context.isStarted() && component(context) == null;
            answerNow(request, response, null, path, unknown ? CallbackAnswer.UNKNOWN : NOT_READY);
            return;
        }
        long declared = request.getContentLengthLong();
        CallbackDispatcher.Admission admission;
        try {
            admission = dispatcher.admit(request.getMethod(), path, request.getQueryString(), headers(request), declared);
        } catch (RuntimeException e) {
            LOG.warn("Unexpected error answering a logicwebhook callback: {}", e.getMessage(), e);
            answerNow(request, response, dispatcher, path, FAILED);
            return;
        }
        if (admission.answer() != null) {
            answerNow(request, response, dispatcher, path, admission.answer());
        } else if (request.isAsyncSupported()) {
            new AsyncCallback(dispatcher, admission, path, request, response).start();
        } else {
            readBlocking(request, response, dispatcher, admission, path);
        }
    }

    /**
     * A filter without async support is in the chain (the servlet container refuses startAsync then): the body is read,
     * and the answer awaited, on the container's thread, as a plain servlet would.
     */
    private void readBlocking(
            HttpServletRequest request, HttpServletResponse response, CallbackDispatcher dispatcher,
            CallbackDispatcher.Admission admission, String path)
            throws IOException {
        LOG.debug("A filter without async support is in the chain of {}: its body is read, and its answer awaited, on"
                  + " the container's thread (the connector's read timeout applies, not callbackBodyTimeout)",
                path);
        long max = dispatcher.getMaxBodySize();
        byte[] body;
        try {
            body = request.getInputStream().readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
        } catch (IOException e) {
            // the sender went away, or the connector's read timeout ran out
            dispatcher.count(path, 408);
            return;
        }
        if (body.length > max) {
            answer(response, dispatcher, path, TOO_LARGE, closes(request));
            return;
        }
        CompletableFuture<CallbackAnswer> answered = new CompletableFuture<>();
        dispatcher.complete(admission, body, answered::complete);
        answer(response, dispatcher, path, answered.join(), false);
    }

    /** Answers on the container's thread, before the body was read: the container drops what is left of it. */
    private static void answerNow(
            HttpServletRequest request, HttpServletResponse response, CallbackDispatcher dispatcher, String path,
            CallbackAnswer answer) {
        long declared = request.getContentLengthLong();
        answer(response, dispatcher, path, answer, hasBody(request) && (declared < 0 || declared > DRAIN_LIMIT)
                && closes(request));
    }

    /** Writes an answer (from any thread): status, its short text, the component's own headers only. */
    private static void answer(
            HttpServletResponse response, CallbackDispatcher dispatcher, String path, CallbackAnswer answer, boolean close) {
        if (dispatcher != null) {
            dispatcher.count(path, answer.status());
        }
        try {
            response.setStatus(answer.status());
            answer.headers().forEach(response::setHeader);
            if (close) {
                // Tomcat closes the connection after the answer, once it dropped what it swallows of the body
                response.setHeader("Connection", "close");
            }
            byte[] text = answer.text() != null ? answer.text().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (answer.text() != null) {
                response.setContentType(CallbackAnswer.TEXT);
            }
            response.setContentLength(text.length);
            response.getOutputStream().write(text);
        } catch (IOException | RuntimeException e) {
            // the sender went away meanwhile: nobody reads the answer
            LOG.debug("A logicwebhook callback's answer could not be written: {}", e.getMessage());
        }
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null || isHttp2(request);
    }

    /** Connection: close is an HTTP/1.x header; an HTTP/2 stream ends on its own. */
    private static boolean closes(HttpServletRequest request) {
        return !isHttp2(request);
    }

    private static boolean isHttp2(HttpServletRequest request) {
        return "HTTP/2.0".equals(request.getProtocol());
    }

    /**
     * The component's dispatcher once the component has started: Camel starts it before any route, so that a trigger's
     * handshake while it subscribes (Microsoft Graph's validation, say) is answered, as on the other engines.
     */
    private CallbackDispatcher dispatcher() {
        CamelContext context = camelContext();
        LogicWebhookComponent component = context != null ? component(context) : null;
        return component != null && component.isStarted() ? component.getDispatcher() : null;
    }

    private CamelContext camelContext() {
        CamelContext context = camelContext;
        if (context == null) {
            try {
                context = camelContexts.getIfAvailable();
            } catch (RuntimeException e) {
                // the application context is closing
                return null;
            }
            camelContext = context;
        }
        return context;
    }

    /** The component whose callbacks are under this servlet's path: the one named logicwebhook, as a rule. */
    private LogicWebhookComponent component(CamelContext context) {
        Component named = context.hasComponent("logicwebhook");
        if (named instanceof LogicWebhookComponent component && basePath.equals(component.getCallbackBasePath())) {
            return component;
        }
        for (String name : context.getComponentNames()) {
            if (context.hasComponent(name) instanceof LogicWebhookComponent component
                    && basePath.equals(component.getCallbackBasePath())) {
                return component;
            }
        }
        if (named instanceof LogicWebhookComponent component && warnedBasePath.compareAndSet(false, true)) {
            LOG.warn("The logicwebhook component's callbackBasePath is {}, but the starter serves callbacks under {}: set"
                     + " it with the property camel.component.logicwebhook.callback-base-path, which both read",
                    component.getCallbackBasePath(), basePath);
        }
        return null;
    }

    private static Map<String, Object> headers(HttpServletRequest request) {
        Map<String, Object> headers = new CaseInsensitiveMap();
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements();) {
            String name = names.nextElement();
            List<String> values = Collections.list(request.getHeaders(name));
            headers.put(name, values.size() == 1 ? values.get(0) : List.copyOf(values));
        }
        return headers;
    }

    /**
     * One admitted callback, asynchronous: its body read without blocking, then its answer from the component's pool.
     * One state decides who writes the answer and completes: the read's end, the body limit, the timer, or the
     * sender's going away; nobody touches the request or the response after that.
     */
    private final class AsyncCallback implements ReadListener, AsyncListener {

        private static final int READING = 0;
        private static final int PROCESSING = 1;
        private static final int DONE = 2;

        private final AtomicInteger state = new AtomicInteger(READING);
        private final CallbackDispatcher dispatcher;
        private final CallbackDispatcher.Admission admission;
        private final String path;
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final AsyncContext async;
        private final ByteArrayOutputStream body;
        private final byte[] buffer = new byte[8192];
        private ServletInputStream in;
        private volatile ScheduledFuture<?> timeout;

        AsyncCallback(CallbackDispatcher dispatcher, CallbackDispatcher.Admission admission, String path,
                      HttpServletRequest request, HttpServletResponse response) {
            this.dispatcher = dispatcher;
            this.admission = admission;
            this.path = path;
            this.request = request;
            this.response = response;
            long declared = request.getContentLengthLong();
            this.body = new ByteArrayOutputStream((int) Math.max(256, Math.min(declared, 65_536)));
            this.async = request.startAsync(request, response);
        }

        void start() throws IOException {
            // no container timeout: the timer bounds the body's read, and a trigger's route may take its time to answer
            async.setTimeout(0);
            async.addListener(this);
            if (!hasBody(request)) {
                state.set(PROCESSING);
                dispatcher.complete(admission, new byte[0], this::answered);
                return;
            }
            timeout = timer.schedule(this::timedOut, dispatcher.getBodyTimeout(), TimeUnit.MILLISECONDS);
            in = request.getInputStream();
            // the container calls onDataAvailable when there is something to read, onAllDataRead at the end
            in.setReadListener(this);
        }

        @Override
        public void onDataAvailable() throws IOException {
            long max = dispatcher.getMaxBodySize();
            // isReady() before every read: a read when it is false is an error, and the container calls back instead
            while (state.get() == READING && in.isReady()) {
                int read = in.read(buffer);
                if (read < 0) {
                    return;
                }
                if (body.size() + (long) read > max) {
                    if (state.compareAndSet(READING, DONE)) {
                        timeout.cancel(false);
                        finish(TOO_LARGE, closes(request));
                    }
                    return;
                }
                body.write(buffer, 0, read);
            }
        }

        @Override
        public void onAllDataRead() {
            if (state.compareAndSet(READING, PROCESSING)) {
                timeout.cancel(false);
                dispatcher.complete(admission, body.toByteArray(), this::answered);
            }
        }

        /** The component's answer, from its pool (or a trigger route's thread). */
        private void answered(CallbackAnswer answer) {
            if (state.compareAndSet(PROCESSING, DONE)) {
                finish(answer, false);
            } else {
                // the sender went away meanwhile: counted as answered, as the engine's other paths do
                dispatcher.count(path, answer.status());
            }
        }

        private void timedOut() {
            if (state.compareAndSet(READING, DONE)) {
                finish(BODY_TIMEOUT, closes(request));
            }
        }

        private void finish(CallbackAnswer answer, boolean close) {
            try {
                answer(response, dispatcher, path, answer, close);
            } finally {
                completeQuietly();
            }
        }

        /** The sender went away (or the container gave up on the request): complete quietly. */
        private void gone(Throwable cause) {
            int previous = state.getAndSet(DONE);
            if (previous == DONE) {
                return;
            }
            LOG.debug("A logicwebhook callback's sender went away: {}", cause != null ? cause.getMessage() : "");
            if (previous == READING) {
                if (timeout != null) {
                    timeout.cancel(false);
                }
                dispatcher.count(path, 408);
            }
            completeQuietly();
        }

        private void completeQuietly() {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                // completed already, or the container recycled the request after an error
                LOG.debug("A logicwebhook callback's request could not be completed: {}", e.getMessage());
            }
        }

        @Override
        public void onError(Throwable failure) {
            gone(failure);
        }

        @Override
        public void onError(AsyncEvent event) {
            gone(event.getThrowable());
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // with no container timeout set, only a container that imposes one of its own gets here
            gone(event.getThrowable());
        }

        @Override
        public void onComplete(AsyncEvent event) {
            // nothing to release: the timer was cancelled by whoever finished the request
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // not restarted
        }
    }
}

package org.apache.camel.component.logicwebhook.callback;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A callback's body on platform-http-vertx (Camel Main, Quarkus). The dispatcher asks the engine not to read bodies
 * (useBodyHandler=false), so a request arrives paused and unread: its body is read here, only once its signature was
 * verified, and never past maxBodySize. The engine's body handler would have buffered any body first, and turned
 * form bodies into headers. Only the dispatcher refers to this class, and only when Vert.x is on the classpath.
 */
final class VertxRequestBody {

    private static final Logger LOG = LoggerFactory.getLogger(VertxRequestBody.class);

    private VertxRequestBody() {
    }

    static boolean isUnreadRequest(Object body) {
        return body instanceof HttpServerRequest;
    }

    /**
     * Reads the rest of the request on its event loop and waits for it.
     *
     * @return the body, or {@code null} when it is longer than {@code max} (the rest is left unread)
     */
    static byte[] read(Object body, long max, long timeoutMillis)
            throws InterruptedException, ExecutionException, TimeoutException {
        HttpServerRequest request = (HttpServerRequest) body;
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Buffer received = Buffer.buffer();
        // the handlers run on the request's event loop, one at a time
        request.handler(chunk -> {
            if (result.isDone()) {
                return;
            }
            if (received.length() + (long) chunk.length() > max) {
                request.pause();
                result.complete(null);
            } else {
                received.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(result::completeExceptionally);
        request.endHandler(end -> result.complete(received.getBytes()));
        if (request.version() != HttpVersion.HTTP_1_0 && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            // the sender waits for this before it sends the body (the engine's body handler used to say it)
            request.response().writeContinue();
        }
        request.resume();
        return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * A request answered without its whole body being read (refused, or too large). Its body is drained and dropped,
     * so that the connection can serve the sender's next request, and so that the sender, still sending, does not
     * see the connection reset before it reads the answer. A body longer than {@code drainLimit} is not worth reading:
     * once the answer is written, an HTTP/1.x connection closes (said in the answer when the length is known) and an
     * HTTP/2 stream is reset.
     */
    static void leaveUnread(Object body, long drainLimit) {
        HttpServerRequest request = (HttpServerRequest) body;
        try {
            if (request.isEnded()) {
                return;
            }
            request.exceptionHandler(null);
            request.endHandler(null);
            if (request.version() != HttpVersion.HTTP_2 && declaredLength(request) > drainLimit) {
                request.handler(null);
                request.response().putHeader("Connection", "close");
                closeOnceAnswered(request);
                return;
            }
            long[] drained = { 0 };
            request.handler(chunk -> {
                drained[0] += chunk.length();
                if (drained[0] > drainLimit) {
                    request.handler(null);
                    closeOnceAnswered(request);
                }
            });
            request.resume();
        } catch (RuntimeException e) {
            // the request ended or failed meanwhile on its event loop: nothing is left to drop
            LOG.debug("A callback's unread body could not be dropped: {}", e.getMessage());
        }
    }

    /** After the answer is written: closes an HTTP/1.x connection, or resets an HTTP/2 stream (not its connection). */
    private static void closeOnceAnswered(HttpServerRequest request) {
        Runnable close = request.version() == HttpVersion.HTTP_2
                ? () -> request.response().reset()
                : () -> request.connection().close();
        if (request.response().ended()) {
            close.run();
        } else {
            request.response().endHandler(end -> close.run());
        }
    }

    private static long declaredLength(HttpServerRequest request) {
        String value = request.getHeader("Content-Length");
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

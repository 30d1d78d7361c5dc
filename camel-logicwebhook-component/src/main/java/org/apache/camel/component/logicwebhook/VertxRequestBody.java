package org.apache.camel.component.logicwebhook;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * A callback's body on platform-http-vertx (Camel Main, Quarkus). The dispatcher asks the engine not to read bodies
 * (useBodyHandler=false), so a request arrives paused and unread: its body is read here, only once its signature was
 * verified, and never past maxBodySize. The engine's body handler would have buffered any body first, and turned
 * form bodies into headers. Only the dispatcher refers to this class, and only when Vert.x is on the classpath.
 */
final class VertxRequestBody {

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
        request.resume();
        return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * A request answered without its whole body being read (refused, or too large). Its body is drained and dropped,
     * so that the connection can serve the sender's next request, and so that the sender, still sending, does not
     * see the connection reset before it reads the answer. A body longer than {@code drainLimit} is not worth reading:
     * over HTTP/1.x the connection closes once the answer is written (and says so in the answer).
     */
    static void leaveUnread(Object body, long drainLimit) {
        HttpServerRequest request = (HttpServerRequest) body;
        if (request.isEnded()) {
            return;
        }
        request.exceptionHandler(null);
        request.endHandler(null);
        boolean http1 = request.version() != HttpVersion.HTTP_2;
        if (http1 && declaredLength(request) > drainLimit) {
            request.handler(null);
            request.response().putHeader("Connection", "close");
            request.response().endHandler(end -> request.connection().close());
            return;
        }
        long[] drained = { 0 };
        request.handler(chunk -> {
            drained[0] += chunk.length();
            if (http1 && drained[0] > drainLimit) {
                request.handler(null);
                request.connection().close();
            }
        });
        request.resume();
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

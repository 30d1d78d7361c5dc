package org.apache.camel.component.logicwebhook;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a callback's body is read on Vert.x: not before its signature is checked, never past maxBodySize, and as the raw
 * bytes whatever its Content-Type. The requests go over raw sockets, so that a test can send headers and hold the body
 * back: an answer that comes while the body was never sent proves the body was not waited for.
 */
class LogicWebhookRequestBodyTest extends LogicWebhookTestSupport {

    @Override
    void configureComponent(LogicWebhookComponent component) {
        component.setMaxBodySize(1_000);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:events?subscribeUri=" + service.url() + "/subscriptions").to("mock:events");
            }
        };
    }

    /** Sends the head of a request (and {@code body}, if any) and returns the status line of the answer. */
    private String statusLineFor(String head, byte[] body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            return in.readLine();
        }
    }

    private String target(String url) {
        URI uri = URI.create(url);
        return uri.getRawPath() + "?" + uri.getRawQuery();
    }

    @Test
    void aForgedSignatureIsAnsweredWithoutWaitingForTheBody() throws Exception {
        String forged = target(callbackUrlOf("events")).replaceAll("sig=.*", "sig=AAAA");
        // 10 MB announced, none sent: the answer can only come if the body is not waited for
        String status = statusLineFor("POST " + forged + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                      + "Content-Length: 10000000\r\n\r\n", null);
        assertEquals("HTTP/1.1 401 Unauthorized", status);
        getMockEndpoint("mock:events").expectedMessageCount(0);
        getMockEndpoint("mock:events").assertIsSatisfied();
    }

    @Test
    void aChunkedBodyOverTheLimitIsAnswered413WithoutReadingTheRest() throws Exception {
        String head = "POST " + target(callbackUrlOf("events")) + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                      + "Transfer-Encoding: chunked\r\n\r\n";
        // 1,200 bytes in one chunk, and the body never ends: the limit (1,000) is found while reading
        String chunk = Integer.toHexString(1_200) + "\r\n" + "x".repeat(1_200) + "\r\n";
        assertEquals("HTTP/1.1 413 Request Entity Too Large",
                statusLineFor(head, chunk.getBytes(StandardCharsets.ISO_8859_1)));
        getMockEndpoint("mock:events").expectedMessageCount(0);
        getMockEndpoint("mock:events").assertIsSatisfied();
    }

    @Test
    void aSenderThatExpects100ContinueGetsItOnceItsSignatureIsVerified() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:events");
        mock.expectedBodiesReceived("{\"n\":1}");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + target(callbackUrlOf("events")) + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       + "Content-Length: 7\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            // the body is sent only after the interim answer, as curl and HTTP clients do
            assertEquals("HTTP/1.1 100 Continue", in.readLine());
            assertEquals("", in.readLine());
            out.write("{\"n\":1}".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertEquals("HTTP/1.1 202 Accepted", in.readLine());
        }
        mock.assertIsSatisfied();
    }

    @Test
    void aFormBodyReachesTheRouteAsItsRawBytesAndNotAsHeaders() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:events");
        mock.expectedMessageCount(1);
        assertEquals(202, service.post(callbackUrlOf("events"), "event=created&id=42",
                "Content-Type", "application/x-www-form-urlencoded").statusCode());
        mock.assertIsSatisfied();
        Exchange received = mock.getReceivedExchanges().get(0);
        assertEquals("event=created&id=42", received.getMessage().getBody(String.class));
        assertNull(received.getMessage().getHeader("event"), "form fields are not turned into headers");
    }

    @Test
    void formAndMultipartContentTypesOnOtherMethodsAreRefusedCleanly() throws Exception {
        String url = callbackUrlOf("events");
        // platform-http-vertx's body handler answered these 500 before the component could see them
        assertEquals(405, service.send("GET", url, null, "Content-Type", "application/x-www-form-urlencoded")
                .statusCode());
        assertEquals(405, service.send("OPTIONS", url, null, "Content-Type", "multipart/form-data").statusCode());
        assertEquals(202, service.post(url, "--\r\n", "Content-Type", "multipart/form-data; boundary=").statusCode(),
                "an empty multipart boundary is just bytes to the trigger");
        // and a malformed escape in the query of a form request, which the engine never answered
        String status = statusLineFor("POST " + target(url) + "&x=%zz HTTP/1.1\r\nHost: x\r\n"
                                      + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\n",
                "a=1".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(status != null && !status.contains(" 5"), String.valueOf(status));
        assertFalse(status.isEmpty());
    }

    /**
     * A sender that keeps writing a large body after an early refusal must still read the refusal: what it sends is
     * read and dropped (not reset under it), and the connection closed once it is done (RFC 9112 §9.6).
     */
    @Test
    void aSenderStillUploadingReadsTheRefusalInsteadOfABrokenPipe() throws Exception {
        String valid = target(callbackUrlOf("events"));
        String forged = valid.replaceAll("sig=.*", "sig=AAAA");
        assertEquals("HTTP/1.1 401 Unauthorized", statusWhileUploading(forged, 4_000_000));
        assertEquals("HTTP/1.1 413 Request Entity Too Large", statusWhileUploading(valid, 4_000_000));
        getMockEndpoint("mock:events").expectedMessageCount(0);
        getMockEndpoint("mock:events").assertIsSatisfied();
    }

    /** Writes the whole body on another thread, as a client that does not read before it has sent does. */
    private String statusWhileUploading(String target, int length) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                       + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                byte[] block = new byte[64 * 1024];
                try {
                    for (int sent = 0; sent < length; sent += block.length) {
                        out.write(block, 0, Math.min(block.length, length - sent));
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String status = in.readLine();
            upload.get(20, TimeUnit.SECONDS);
            return status;
        }
    }

    @Test
    void aMalformedQueryIsRefusedAs401Or400() throws Exception {
        for (String query : List.of("sig=%%%", "sig=%zz&se=%", "%=%&&=")) {
            String status = statusLineFor("POST /logicwebhook/events?" + query + " HTTP/1.1\r\nHost: x\r\n"
                                          + "Content-Length: 0\r\n\r\n", null);
            assertTrue(List.of("HTTP/1.1 401 Unauthorized", "HTTP/1.1 400 Bad Request").contains(status), status);
        }
    }
}

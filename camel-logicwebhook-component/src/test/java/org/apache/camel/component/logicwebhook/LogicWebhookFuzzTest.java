package org.apache.camel.component.logicwebhook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.callback.CallbackRequest;
import org.apache.camel.component.logicwebhook.callback.CallbackSigner;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.util.URISupport;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Thousands of random and mutated requests (paths, methods, query strings, headers, bodies; well-formed ones through
 * HttpClient, malformed HTTP through raw sockets) against a running trigger and pending waits: no 5xx, no exception
 * escapes, no wait resumed, no trigger exchange created, and the service stays responsive.
 *
 * <p>
 * Every request derives from one seeded {@link Random}, logged at the start: {@code -Dlogicwebhook.fuzz.seed=N} replays
 * the same mutations (the callback ids and signatures differ per run, so each failure is also printed in full).
 * {@code -Dlogicwebhook.fuzz.requests=N} changes how many requests are sent, {@code -Dlogicwebhook.fuzz.examples=N}
 * how many failing ones are shown per kind of problem.
 *
 * <p>
 * A mutation must not produce a request the component must accept: every request is checked before it is sent
 * ({@link #mayBeAccepted}) by verifying its signature, with the component's own signer and query parser, against every
 * way its path could be normalized; one that could be valid gets a method other than POST instead.
 */
class LogicWebhookFuzzTest extends LogicWebhookTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LogicWebhookFuzzTest.class);

    private static final long SEED = Long.getLong("logicwebhook.fuzz.seed", 0x5EEDL);
    private static final int REQUESTS = Integer.getInteger("logicwebhook.fuzz.requests", 5_000);
    /** How many requests the failure message shows per kind of problem. */
    private static final int EXAMPLES = Integer.getInteger("logicwebhook.fuzz.examples", 5);
    private static final long SEND_BUDGET_MILLIS = 35_000;
    private static final int CONCURRENCY = 16;
    private static final int WAITS = 20;
    private static final int MAX_BODY = 16_384;
    private static final String BASE = "/logicwebhook";

    private static final String B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final String ODD = "%/?#&=+;:@!$'()*,[]\"<>\\^`{|} \t.~\u00e9\u0000\u00ff\u202e\r\n";
    private static final String[] METHODS = {
            "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "post", "Post", "FOO", "PROPFIND", "M-SEARCH" };
    private static final String[] NOT_POST = {
            "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "PROPFIND", "M-SEARCH" };
    private static final String[] CAMEL_HEADERS = {
            "CamelHttpPath", "CamelHttpMethod", "CamelHttpQuery", "CamelHttpRawQuery", "CamelHttpUri", "CamelHttpUrl",
            "CamelHttpResponseCode", "CamelLogicWebhookCallbackId", "CamelLogicWebhookEndpointName", "camelhttppath",
            "CAMELHTTPMETHOD", "cAmElHttpRawQuery", "org.apache.camel.Foo", "Camel-Http-Path", "CamelContentLength" };
    private static final String[] CONTENT_TYPES = {
            "application/json", "text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=zzz", "multipart/form-data", "multipart/form-data; boundary=",
            "application/octet-stream", "garbage", "text/plain; charset=nope", "application/json; charset=utf-16", "",
            "*/*", ";;;", "application/x-www-form-urlencoded; charset=iso-8859-1", "text/xml" };
    private static final String[] JUNK_PARAM_NAMES = {
            "x", "Content-Length", "content-length", "Content-Type", "Host", "CamelHttpPath", "CamelHttpResponseCode",
            "camelhttpmethod", "CamelLogicWebhookCallbackId", "Allow", "Transfer-Encoding", "Authorization", "sig ",
            "SIG", "%73ig", "s%69g", "se%00", "status", "", "\u00e9", "a b", "callback", "id" };
    private static final String[] JUNK_VALUES = {
            "abc", "-1", "0", "1", "99999999999999999999", "1e9", "%zz", "%", "%e2%82", "%00", "+", "a=b", "=", "\u00e9",
            "%C3%A9", "500", "POST", "/logicwebhook/events", "true", "null", "[]", "{}", " 1", "0x10" };
    private static final String[] RAW_KINDS = {
            "plain", "plain", "plain", "http10", "chunked", "chunked-bad", "truncated", "short-cl", "cl-te", "dup-cl",
            "bad-cl", "garbage-line", "garbage-line", "bad-header", "no-host", "absolute", "big-header", "huge-header",
            "long-line", "pipelined", "close-early", "close-early", "expect", "bare-lf", "h2c-upgrade" };

    /** Headers that, sent twice or with a junk value, make a request malformed HTTP. */
    private static final Set<String> FRAMING_HEADERS
            = Set.of("host", "content-length", "transfer-encoding", "connection", "upgrade", "expect", "te");

    /** One fuzzed request, and how it went. */
    private static final class Req {
        final int n;
        String method;
        String target;
        final List<String[]> headers = new ArrayList<>();
        byte[] body;
        String bodyKind = "none";
        boolean http2;
        /** For raw-socket requests: what is sent, and whether the server may leave it unanswered. */
        String rawKind;
        byte[] raw;
        boolean answerOptional;
        boolean shutdownOutput;
        boolean closeEarly;
        boolean headRequest;

        Req(int n) {
            this.n = n;
        }

        String describe() {
            StringBuilder text = new StringBuilder("#").append(n).append(' ');
            if (raw != null) {
                text.append("raw socket (").append(rawKind).append(answerOptional ? ", malformed" : "").append("): ");
                // each line of the head shortened, so that every header shows
                String request = new String(raw, StandardCharsets.ISO_8859_1);
                int end = request.indexOf("\r\n\r\n");
                String head = end < 0 ? request : request.substring(0, end + 2);
                for (String line : head.split("(?<=\n)")) {
                    String eol = line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "";
                    text.append(escape(abbreviate(line.substring(0, line.length() - eol.length()), 160) + eol));
                }
                if (end >= 0) {
                    text.append("\\r\\n").append(escape(abbreviate(request.substring(end + 4), 160)));
                }
                return text.toString();
            }
            text.append(http2 ? "HttpClient HTTP/2 " : "HttpClient ").append(method).append(' ')
                    .append(escape(abbreviate(target, 400)));
            for (String[] h : headers) {
                text.append(" | ").append(h[0]).append(": ").append(escape(abbreviate(h[1], 80)));
            }
            text.append(" | body ").append(bodyKind).append(' ').append(body == null ? "none" : body.length + " bytes");
            if (body != null && body.length > 0) {
                text.append(" \"").append(escape(abbreviate(new String(body, StandardCharsets.ISO_8859_1), 120)))
                        .append('"');
            }
            return text.toString();
        }
    }

    /** The path and query of every URL the component handed out: the waits' first, the two triggers' last. */
    private final List<String> targets = new ArrayList<>();
    private final List<String> waitIds = new ArrayList<>();
    private final List<String> signatures = new ArrayList<>();
    private final Problems problems = new Problems();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> channels = new ConcurrentHashMap<>();
    private final AtomicInteger protectedRequests = new AtomicInteger();

    /** What went wrong, with the request that caused it. */
    private static final class Problems {
        /** 5xx answers, grouped by status and answer body. */
        final Map<String, ConcurrentLinkedQueue<String>> serverErrors = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> unanswered = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> clientErrors = new ConcurrentLinkedQueue<>();

        void serverError(Req req, int status, String body) {
            serverErrors.computeIfAbsent(status + " \"" + escape(abbreviate(body.trim(), 60)) + "\"",
                    k -> new ConcurrentLinkedQueue<>()).add(req.describe());
        }
    }

    @Override
    void configureComponent(LogicWebhookComponent component) {
        component.setMaxBodySize(MAX_BODY);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:events?subscribeUri=" + service.url() + "/subscriptions").to("mock:trigger");
                from("logicwebhook:leased?subscribeUri=" + service.url() + "/subscriptions&callbackUrlExpiry=PT1H")
                        .to("mock:trigger");
                from("direct:start")
                        .to("logicwebhook:approval?subscribeUri=" + service.url() + "/jobs&timeout=PT10M"
                            + "&subscribeBody=RAW({\"callback\":\"${variable.callbackUrl}\","
                            + "\"failure\":\"${variable.failureUrl}\",\"heartbeat\":\"${variable.heartbeatUrl}\"})")
                        .to("mock:done");
            }
        };
    }

    private WaitRegistry registry() {
        return component().getWaitRegistry();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void randomAndMutatedRequestsGetNo5xxResumeNothingAndLeaveTheServiceResponsive() throws Exception {
        long started = System.nanoTime();
        MockEndpoint trigger = getMockEndpoint("mock:trigger");
        List<Future<Exchange>> waits = new ArrayList<>();
        for (int i = 0; i < WAITS; i++) {
            String order = "order-" + i;
            waits.add(template.asyncSend("direct:start", e -> e.getMessage().setBody(order)));
        }
        await().until(() -> registry().size() == WAITS);
        for (FakeService.Recorded subscribe : awaitRequests("POST", "/jobs", WAITS)) {
            for (String field : List.of("callback", "failure", "heartbeat")) {
                String url = json(subscribe.body()).path(field).asText();
                addTarget(url);
                if (field.equals("callback")) {
                    String path = url.substring(url.indexOf(BASE + "/") + BASE.length() + 1, url.indexOf('?'));
                    waitIds.add(path.substring(path.indexOf('/') + 1));
                }
            }
        }
        String firstCallback = json(awaitRequests("POST", "/jobs", WAITS).get(0).body()).path("callback").asText();
        List<String> triggerUrls = new ArrayList<>();
        for (FakeService.Recorded subscribe : awaitRequests("POST", "/subscriptions", 2)) {
            String url = json(subscribe.body()).path("callbackUrl").asText();
            triggerUrls.add(url);
            addTarget(url);
        }
        assertEquals(3 * WAITS + 2, targets.size());

        List<LogEvent> logged = Collections.synchronizedList(new ArrayList<>());
        AbstractAppender appender = captureLogs(logged);
        HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        // Vert.x answers a request line over 4 KiB (414) or headers over 8 KiB (431) without Connection: close, then
        // closes: the JDK client pools that connection, and the next request on it fails with "header parser received
        // no bytes". Each such request goes through a client of its own, whose connection nothing else reuses (one
        // client for all of them failed as soon as two came in a row: the second took the first's closed connection).
        Supplier<HttpClient> oversizedClient = () -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        ExecutorService rawSenders = Executors.newFixedThreadPool(8);
        long fuzzStart = System.nanoTime();
        int sent = 0;
        List<String> violations = new ArrayList<>();
        try {
            LOG.info("Fuzzing the callbacks with seed {} (replay with -Dlogicwebhook.fuzz.seed={}): up to {} requests"
                     + " in {} s, {} at a time, against {} trigger URLs and {} wait URLs", SEED, SEED, REQUESTS,
                    SEND_BUDGET_MILLIS / 1000, CONCURRENCY, triggerUrls.size(), 3 * WAITS);
            Random random = new Random(SEED);
            Semaphore inFlight = new Semaphore(CONCURRENCY);
            Map<CompletableFuture<?>, Req> answers = new LinkedHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_BUDGET_MILLIS);
            for (; sent < REQUESTS && System.nanoTime() < deadline; sent++) {
                Req req = generate(random, sent);
                HttpRequest request = req.raw == null ? toHttpRequest(req) : null;
                if (request == null && req.raw == null) {
                    renderRaw(req, random, "plain");
                }
                inFlight.acquire();
                CompletableFuture<?> answer;
                if (request != null) {
                    channels.computeIfAbsent(req.http2 ? "httpclient-h2" : "httpclient", k -> new AtomicInteger())
                            .incrementAndGet();
                    HttpClient client = req.http2 ? http2 : oversized(request) ? oversizedClient.get() : http1;
                    answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                            .handle((response, error) -> {
                                inFlight.release();
                                if (error != null) {
                                    count(-1);
                                    problems.clientErrors.add(req.describe() + " -> " + error);
                                } else {
                                    count(response.statusCode());
                                    if (response.statusCode() >= 500) {
                                        problems.serverError(req, response.statusCode(),
                                                new String(response.body(), StandardCharsets.ISO_8859_1));
                                    }
                                }
                                return null;
                            });
                } else {
                    channels.computeIfAbsent("raw:" + req.rawKind, k -> new AtomicInteger()).incrementAndGet();
                    answer = CompletableFuture.runAsync(() -> {
                        try {
                            sendRaw(req);
                        } finally {
                            inFlight.release();
                        }
                    }, rawSenders);
                }
                answers.put(answer, req);
            }
            long sendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fuzzStart);
            try {
                CompletableFuture.allOf(answers.keySet().toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                List<String> stuck = answers.entrySet().stream().filter(a -> !a.getKey().isDone())
                        .map(a -> a.getValue().describe()).collect(Collectors.toList());
                violations.add(stuck.size() + " request(s) still unanswered 30 s after the last was sent (the service"
                               + " hangs on them):\n    " + String.join("\n    ", first(stuck)));
            } catch (ExecutionException e) {
                violations.add("a raw sender failed: " + e.getCause());
            }
            LOG.info("Sent {} fuzz requests in {} ms, done waiting for answers after {} ms ({} could have been valid, so went with"
                     + " another method than POST)\n  channels {}\n  statuses {}", sent, sendMillis,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fuzzStart), protectedRequests.get(),
                    new TreeMap<>(channels), new TreeMap<>(statuses));
        } finally {
            rawSenders.shutdownNow();
            detach(appender);
        }

        // no 5xx, every well-formed request answered
        problems.serverErrors.forEach((answer, requests) -> violations.add(requests.size() + " request(s) answered "
                                                                              + answer + ", such as:\n    "
                                                                              + String.join("\n    ", first(requests))));
        if (!problems.unanswered.isEmpty()) {
            violations.add(problems.unanswered.size() + " well-formed raw request(s) left unanswered or cut off:\n    "
                           + String.join("\n    ", first(problems.unanswered)));
        }
        if (!problems.clientErrors.isEmpty()) {
            violations.add(problems.clientErrors.size() + " HttpClient request(s) got no answer:\n    "
                           + String.join("\n    ", first(problems.clientErrors)));
        }
        // no exception escaped from Camel's side into the logs (the HTTP server's own are summarized below); the notice
        // of a refused malformed query is one line, at most once a minute, and expected here
        List<String> camelLogs = logged.stream().filter(e -> e.getLoggerName().startsWith("org.apache.camel"))
                .filter(e -> !e.getMessage().getFormattedMessage().contains("malformed query string")
                        || e.getThrown() != null)
                .map(LogicWebhookFuzzTest::describe).collect(Collectors.toList());
        if (!camelLogs.isEmpty()) {
            violations.add(camelLogs.size() + " warning(s) or error(s) logged by Camel while fuzzing:\n    "
                           + String.join("\n    ", first(camelLogs)));
        }
        Map<String, Long> serverLogs = logged.stream().filter(e -> !e.getLoggerName().startsWith("org.apache.camel"))
                .collect(Collectors.groupingBy(LogicWebhookFuzzTest::summary, TreeMap::new, Collectors.counting()));
        if (!serverLogs.isEmpty()) {
            LOG.info("The HTTP server logged while fuzzing:\n  {}", serverLogs.entrySet().stream()
                    .map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining("\n  ")));
        }
        // nothing started, nothing resumed
        if (trigger.getReceivedCounter() != 0) {
            violations.add("fuzz requests created " + trigger.getReceivedCounter() + " trigger exchange(s)");
        }
        if (registry().size() != WAITS || waits.stream().anyMatch(Future::isDone)) {
            violations.add("fuzz requests ended waits: " + registry().size() + " of " + WAITS + " still pending, "
                           + waits.stream().filter(Future::isDone).count() + " resumed");
        }

        // and the service still works
        try {
            for (String url : triggerUrls) {
                assertEquals(202, service.post(url, "{\"after\":\"fuzz\"}").statusCode(), url);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> trigger.getReceivedCounter() >= 2);
            assertEquals(200, service.post(firstCallback, "resumed after fuzz").statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> waits.stream().anyMatch(Future::isDone));
            Exchange resumed = waits.stream().filter(Future::isDone).findFirst().orElseThrow().get();
            assertNull(resumed.getException());
            assertEquals("resumed after fuzz", resumed.getMessage().getBody(String.class));
        } catch (AssertionError | Exception e) {
            violations.add("the service no longer works after the fuzz: " + e);
        }
        LOG.info("Fuzz test took {} ms in all", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        if (!violations.isEmpty()) {
            fail("Fuzzing with seed " + SEED + " found:\n  " + String.join("\n  ", violations));
        }
    }

    private void addTarget(String url) {
        String pathAndQuery = url.substring(url.indexOf(BASE + "/"));
        targets.add(pathAndQuery);
        signatures.add(pathAndQuery.replaceAll(".*[?&]sig=([^&]*).*", "$1"));
    }

    private void count(int status) {
        statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
    }

    private static List<String> first(Collection<String> problems) {
        return problems.stream().limit(EXAMPLES).collect(Collectors.toList());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Generating requests
    // ------------------------------------------------------------------------------------------------------------

    /**
     * One request: a real URL (a trigger's one time in five) or a made-up one, mutated; a quarter of them are "near
     * valid", a real URL with one parameter added. Every random number is drawn whatever the outcome of the checks, so
     * that a seed always gives the same sequence of mutations.
     */
    private Req generate(Random r, int n) {
        Req req = new Req(n);
        boolean nearValid = r.nextInt(100) < 25;
        int which = r.nextInt(100);
        String target;
        if (nearValid || which < 85) {
            // the two trigger URLs come last among the targets
            target = r.nextInt(5) == 0 ? targets.get(targets.size() - 1 - r.nextInt(2))
                    : targets.get(r.nextInt(targets.size() - 2));
        } else {
            target = syntheticTarget(r);
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        List<String> params = new ArrayList<>();
        if (q >= 0) {
            Collections.addAll(params, target.substring(q + 1).split("&", -1));
        }
        String suffix = "";
        if (nearValid) {
            suffix = mutateQuery(r, params, suffix, 7 + r.nextInt(4));
        } else {
            int pathMutations = r.nextInt(100) < 55 ? 1 + r.nextInt(3) : 0;
            for (int i = 0; i < pathMutations; i++) {
                path = mutatePath(r, path);
            }
            int queryMutations = r.nextInt(100) < 60 ? 1 + r.nextInt(3) : 0;
            for (int i = 0; i < queryMutations; i++) {
                suffix = mutateQuery(r, params, suffix, r.nextInt(14));
            }
        }
        String query = String.join("&", params);
        boolean bareQuestionMark = r.nextInt(10) == 0;
        req.target = path + (query.isEmpty() && !bareQuestionMark ? "" : "?" + query) + suffix;
        req.method = r.nextInt(100) < 45 ? "POST" : pick(r, METHODS);
        String otherMethod = pick(r, NOT_POST);
        if (mayBeAccepted(req.method, req.target)) {
            // the request may be valid: it must not resume anything, so it goes with another method than POST
            protectedRequests.incrementAndGet();
            req.method = otherMethod;
        }
        req.headRequest = req.method.equals("HEAD");
        int headers = r.nextInt(7);
        for (int i = 0; i < headers; i++) {
            req.headers.add(randomHeader(r));
        }
        randomBody(r, req);
        int channel = r.nextInt(100);
        String rawKind = pick(r, RAW_KINDS);
        if (channel < 30 || !req.target.startsWith("/")) {
            renderRaw(req, r, rawKind);
        } else {
            // Over HTTP/2, two kinds of requests are connection errors rather than answers, and would fail every
            // other request on the connection: a header block far over the server's limit (GOAWAY), and TE other
            // than "trailers", a connection-specific header HTTP/2 forbids (the stream is reset, and the rest of its
            // body, still on its way, then counts against the connection). They go over HTTP/1.1 instead.
            int headerSize = req.target.length() + req.headers.stream().mapToInt(h -> h[0].length() + h[1].length() + 32)
                    .sum();
            boolean connectionSpecific = req.headers.stream()
                    .anyMatch(h -> h[0].equalsIgnoreCase("TE") && !h[1].equals("trailers"));
            req.http2 = channel >= 80 && headerSize < 7_000 && !connectionSpecific;
        }
        return req;
    }

    private String syntheticTarget(Random r) {
        switch (r.nextInt(12)) {
            case 0:
                return "/";
            case 1:
                return BASE;
            case 2:
                return BASE + "/";
            case 3:
                return BASE + "/" + token(r, 1 + r.nextInt(30));
            case 4:
                return "/other/" + token(r, 8) + "?sig=" + token(r, 43);
            case 5:
                return BASE + "/approval";
            case 6:
                return BASE + "/approval/" + token(r, 22) + "?sig=" + token(r, 43);
            case 7:
                return BASE + "/events/x/y/z/w?sig=" + token(r, 43);
            case 8:
                return BASE + "/..%2f..%2fetc/passwd";
            case 9:
                return "/%2e%2e/%2e%2e/etc/passwd";
            case 10:
                return BASE + "/approval/" + pick(r, waitIds) + "/" + pick(r, "fail", "heartbeat", "x") + "?sig="
                       + pick(r, signatures);
            default:
                return BASE + "/" + pick(r, "events", "leased", "approval") + "?sig=" + pick(r, signatures);
        }
    }

    private String mutatePath(Random r, String path) {
        switch (r.nextInt(16)) {
            case 0: {
                int at = randomIndex(r, path);
                return path.substring(0, at) + randomChar(r) + path.substring(Math.min(path.length(), at + 1));
            }
            case 1: {
                int at = randomIndex(r, path);
                return at < path.length() ? path.substring(0, at) + path.substring(at + 1) : path;
            }
            case 2: {
                int at = randomIndex(r, path);
                return path.substring(0, at) + randomChar(r) + path.substring(at);
            }
            case 3:
                return path + "/" + pick(r, "x", "fail", "heartbeat", "..", ".", "%2e%2e", "", token(r, 5),
                        pick(r, waitIds));
            case 4: {
                List<Integer> slashes = new ArrayList<>();
                for (int i = 0; i < path.length(); i++) {
                    if (path.charAt(i) == '/') {
                        slashes.add(i);
                    }
                }
                int at = slashes.isEmpty() ? 0 : slashes.get(r.nextInt(slashes.size()));
                return path.substring(0, at) + pick(r, "/..", "/.", "/%2e%2e", "/%2E%2E", "/.%2e", "//", "/x/..",
                        "/%2e%2e%2f", "/..%2f", "\\..\\", "/;x=1", "/%00", "/%2f", "/..;", "/%252e%252e")
                       + path.substring(at);
            }
            case 5: {
                String rest = path.startsWith(BASE) ? path.substring(BASE.length()) : path;
                return pick(r, "", "/logicwebhookx", "/LOGICWEBHOOK", BASE + BASE, "/api" + BASE, BASE + "/..",
                        "/" + BASE, BASE + "%2f", "/logic%77ebhook", "/." + BASE, "/logicwebhook;x") + rest;
            }
            case 6:
                return path.replaceFirst("^(" + BASE + "/)[^/]*", "$1"
                                                                  + pick(r, "approval", "events", "leased", "jsonjob",
                                                                          "APPROVAL", "unknown", token(r, 6)));
            case 7:
                return path.replaceFirst("^(" + BASE + "/[^/]*/)[^/]*", "$1"
                                                                        + pick(r, pick(r, waitIds), token(r, 22), "",
                                                                                token(r, 21), token(r, 23)));
            case 8: {
                int at = randomIndex(r, path);
                if (at >= path.length()) {
                    return path;
                }
                String encoded = percentEncode(r, path.charAt(at));
                if (r.nextInt(4) == 0) {
                    encoded = encoded.replace("%", "%25");
                }
                return path.substring(0, at) + encoded + path.substring(at + 1);
            }
            case 9: {
                int at = randomIndex(r, path);
                if (at >= path.length()) {
                    return path;
                }
                char c = path.charAt(at);
                char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
                return path.substring(0, at) + flipped + path.substring(at + 1);
            }
            case 10: {
                int length = r.nextInt(10) == 0 ? 4_000 + r.nextInt(3_000) : 100 + r.nextInt(1_500);
                return path + "/" + token(r, length);
            }
            case 11:
                return path + pick(r, "/", "//", "%20", " ", "\t", ".", "%", "%2", ";");
            case 12: {
                int last = path.lastIndexOf('/');
                return last > 0 ? path.substring(0, last) : path;
            }
            case 13: {
                int last = path.lastIndexOf('/');
                return last >= 0 ? path + path.substring(last) : path;
            }
            case 14:
                return path.replaceFirst("/(fail|heartbeat)$", "") + "/"
                       + pick(r, "fail", "heartbeat", "FAIL", "failx", "", "callback", "fail/heartbeat", "Heartbeat");
            default: {
                int at = randomIndex(r, path);
                return path.substring(0, at) + pick(r, "\u00e9", "\u0000", "%C3%A9", "%ff", "\u202e", "%u0041",
                        "\ud83d\ude00", "%c0%af") + path.substring(at);
            }
        }
    }

    /** Mutates the query's parameters in place; returns what follows the query (a fragment, a second "?"). */
    private String mutateQuery(Random r, List<String> params, String suffix, int mutation) {
        int sig = indexOfParam(params, "sig");
        switch (mutation) {
            case 0:
            case 1:
            case 2:
                if (sig < 0) {
                    params.add("sig=" + mutateSignature(r, pick(r, signatures)));
                } else {
                    params.set(sig, "sig=" + mutateSignature(r, params.get(sig).substring(4)));
                }
                return suffix;
            case 3:
                if (sig >= 0) {
                    params.remove(sig);
                }
                return suffix;
            case 4:
                params.add(r.nextInt(params.size() + 1),
                        sig >= 0 && r.nextBoolean() ? params.get(sig) : "sig=" + pick(r, signatures));
                return suffix;
            case 5:
                if (sig >= 0) {
                    params.set(sig, "sig=" + pick(r, signatures));
                }
                return suffix;
            case 6: {
                int se = indexOfParam(params, "se");
                String value = pick(r, String.valueOf(System.currentTimeMillis() / 1000 + 3600), "abc", "-1",
                        "99999999999999999999", "", "1e10", "0x10", " 1", "0", String.valueOf(Long.MAX_VALUE));
                if (se >= 0 && r.nextBoolean()) {
                    if (r.nextBoolean()) {
                        params.remove(se);
                    } else {
                        params.set(se, "se=" + value);
                    }
                } else {
                    params.add(r.nextInt(params.size() + 1), "se=" + value);
                }
                return suffix;
            }
            case 7:
                params.add("status=" + pick(r, "422", "599", "600", "abc", "-1", "2147483648", "", "4%30%30", "500",
                        "200"));
                return suffix;
            case 8:
            case 9: {
                String name = r.nextInt(4) == 0 ? token(r, 1 + r.nextInt(12)) : pick(r, JUNK_PARAM_NAMES);
                String value = r.nextInt(5) == 0 ? token(r, 100 + r.nextInt(3_000)) : pick(r, JUNK_VALUES);
                params.add(r.nextInt(params.size() + 1), name + "=" + value);
                return suffix;
            }
            case 10:
                params.add(r.nextInt(params.size() + 1), pick(r, "flag", "", "=v", "&", "==", "sig", "se", "sig="));
                return suffix;
            case 11:
                Collections.shuffle(params, r);
                return suffix;
            case 12:
                params.clear();
                return suffix;
            default:
                return pick(r, "#frag", "#", "?again", "?sig=" + pick(r, signatures), "#?sig=x", "%");
        }
    }

    private String mutateSignature(Random r, String signature) {
        switch (r.nextInt(12)) {
            case 0: {
                int at = randomIndex(r, signature);
                return signature.substring(0, at) + (r.nextInt(4) == 0 ? randomChar(r) : B64.charAt(r.nextInt(64)))
                       + signature.substring(Math.min(signature.length(), at + 1));
            }
            case 1: {
                int at = randomIndex(r, signature);
                return at < signature.length() ? signature.substring(0, at) + signature.substring(at + 1) : signature;
            }
            case 2: {
                int at = randomIndex(r, signature);
                return signature.substring(0, at) + B64.charAt(r.nextInt(64)) + signature.substring(at);
            }
            case 3:
                return signature.substring(0, r.nextInt(signature.length() + 1));
            case 4:
                return signature + signature;
            case 5:
                return pick(r, "", "forged", "null", "%", "%zz", "====", "+", " ");
            case 6:
                return signature.replace('-', '+').replace('_', '/');
            case 7:
                return signature + pick(r, "=", "==", "%3D", "%20", "+", ".");
            case 8: {
                int at = randomIndex(r, signature);
                return at < signature.length()
                        ? signature.substring(0, at) + percentEncode(r, signature.charAt(at)) + signature.substring(at + 1)
                        : signature;
            }
            case 9:
                return r.nextBoolean() ? signature.toUpperCase(Locale.ROOT) : signature.toLowerCase(Locale.ROOT);
            case 10:
                return signature.repeat(10 + r.nextInt(60));
            default:
                return token(r, 43);
        }
    }

    private String[] randomHeader(Random r) {
        switch (r.nextInt(12)) {
            case 0:
            case 1:
                return new String[] { "Content-Type", pick(r, CONTENT_TYPES) };
            case 2:
            case 3:
                return new String[] {
                        pick(r, CAMEL_HEADERS),
                        pick(r, "/logicwebhook/events", "500", "POST", "sig=x", BASE + "/approval/" + pick(r, waitIds),
                                "approval", pick(r, waitIds), "-1", token(r, 10)) };
            case 4:
                return new String[] { "X-Big", token(r, 1_000 + r.nextInt(4_000)) };
            case 5:
                return new String[] {
                        pick(r, "Authorization", "Cookie", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
                                "X-HTTP-Method-Override", "Accept-Encoding", "Content-Encoding", "Range", "Origin",
                                "Access-Control-Request-Method", "If-None-Match", "Accept", "Forwarded", "TE",
                                "X-Original-URL", "X-Rewrite-URL"),
                        pick(r, "Bearer junk", "a=b; c", "1.2.3.4, evil", "evil.example", "https", "POST", "gzip, br",
                                "gzip", "deflate", "bytes=0-1", "http://evil.example", "*", "trailers",
                                BASE + "/events", "for=1.2.3.4;host=x") };
            case 6:
                return new String[] { pick(r, "sig", "se", "status", "Content-Length", "Host", "Allow", "Location"),
                        pick(r, JUNK_VALUES) };
            case 7:
                return new String[] { "X-Utf8", pick(r, "\u00e9t\u00e9", "\u202e", "\u00ff\u00fe", "tab\there") };
            default:
                return new String[] { "X-" + token(r, 1 + r.nextInt(20)), token(r, r.nextInt(200)) };
        }
    }

    private void randomBody(Random r, Req req) {
        int kind = r.nextInt(100);
        if (kind < 15) {
            return;
        } else if (kind < 22) {
            req.bodyKind = "empty";
            req.body = new byte[0];
        } else if (kind < 35) {
            req.bodyKind = "text";
            req.body = token(r, 1 + r.nextInt(200)).getBytes(StandardCharsets.UTF_8);
        } else if (kind < 43) {
            req.bodyKind = "json";
            req.body = pick(r, "{\"approved\":true}", "{\"a\":[1,2,{\"b\":null}]}", "[]", "null", "\"x\"")
                    .getBytes(StandardCharsets.UTF_8);
        } else if (kind < 50) {
            req.bodyKind = "broken json";
            req.body = pick(r, "{\"approved\": tru", "{{{{", "[" .repeat(5_000), "{\"a\":\"\\u12\"}", "\u0000{}")
                    .getBytes(StandardCharsets.UTF_8);
        } else if (kind < 62) {
            req.bodyKind = "form";
            req.body = pick(r, "Content-Length=abc", "Content-Length=99999999999999999999", "Content-Length=-5",
                    "CamelHttpPath=/x&camelhttpmethod=POST", "sig=" + pick(r, signatures), "status=500&x=%zz", "%",
                    "a=b&a=c&a=d", "Content-Length=1&Content-Length=2", "content-length=" + token(r, 5), "=&=&==",
                    "Content-Type=text/plain", "Host=evil")
                    .getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(10) < 7) {
                req.headers.add(new String[] { "Content-Type", "application/x-www-form-urlencoded" });
            }
        } else if (kind < 68) {
            req.bodyKind = "multipart";
            String boundary = pick(r, "zzz", "", "a b");
            req.body = pick(r,
                    "--zzz\r\nContent-Disposition: form-data; name=\"Content-Length\"\r\n\r\nabc\r\n--zzz--\r\n",
                    "--zzz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../x.txt\"\r\n\r\nhi\r\n--zzz--",
                    "--zzz\r\n\r\n", "garbage", "--zzz\r\nContent-Disposition: form-data\r\n\r\n" + token(r, 500))
                    .getBytes(StandardCharsets.UTF_8);
            req.headers.add(new String[] { "Content-Type", "multipart/form-data; boundary=" + boundary });
        } else if (kind < 80) {
            req.bodyKind = "binary";
            req.body = new byte[1 + r.nextInt(2_000)];
            r.nextBytes(req.body);
        } else if (kind < 90) {
            req.bodyKind = "large";
            req.body = new byte[2_000 + r.nextInt(MAX_BODY - 2_000)];
            r.nextBytes(req.body);
        } else if (kind < 94) {
            req.bodyKind = "at the limit";
            req.body = new byte[MAX_BODY + (r.nextBoolean() ? 0 : 1)];
            r.nextBytes(req.body);
        } else if (kind < 97) {
            req.bodyKind = "over the limit";
            req.body = new byte[MAX_BODY + 1 + r.nextInt(4 * MAX_BODY)];
            r.nextBytes(req.body);
        } else {
            req.bodyKind = "unicode";
            req.body = ("\u00e9\u0000\ud83d\ude00\u202e" + token(r, 50)).getBytes(StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The oracle: could the component legitimately accept this request?
    // ------------------------------------------------------------------------------------------------------------

    private boolean isCallbackMethod(String method) {
        // the component compares methods ignoring case; the endpoints here allow POST only
        return method.trim().equalsIgnoreCase("POST");
    }

    /**
     * Whether the request could carry a valid signature for the path the server derives from it: the query is parsed
     * as the component does, the signature verified with its signer against every normalization of the path that
     * Vert.x (or a lenient server) might apply.
     */
    boolean mayBeAccepted(String method, String target) {
        if (!isCallbackMethod(method)) {
            return false;
        }
        String t = target;
        int scheme = t.indexOf("://");
        if (scheme >= 0 && scheme < 10) {
            int slash = t.indexOf('/', scheme + 3);
            t = slash < 0 ? "/" : t.substring(slash);
        }
        Set<String> paths = new LinkedHashSet<>();
        Set<String> queries = new LinkedHashSet<>();
        for (String variant : List.of(t, cut(t, '#'))) {
            int q = variant.indexOf('?');
            paths.addAll(normalizations(q < 0 ? variant : variant.substring(0, q)));
            String query = q < 0 ? "" : variant.substring(q + 1);
            queries.add(query);
            queries.add(cut(query, '#'));
            queries.add(cut(query, '?'));
        }
        CallbackSigner signer = component().getSigner();
        for (String query : queries) {
            Map<String, Object> params;
            try {
                params = URISupport.parseQuery(query, false, true);
            } catch (Exception e) {
                continue;
            }
            if (!(params.get(CallbackRequest.SIGNATURE_PARAM) instanceof String signature)) {
                continue;
            }
            String expires = params.get(CallbackSigner.EXPIRY_PARAM) instanceof String s ? s : null;
            for (String path : paths) {
                int at = path.indexOf(BASE + "/");
                String below = at >= 0 ? path.substring(at + BASE.length() + 1)
                        : path.startsWith("/") ? path.substring(1) : path;
                if (signer.verify(below, expires, signature)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Set<String> normalizations(String path) {
        Set<String> out = new LinkedHashSet<>();
        for (String base : List.of(path, path.replace('\\', '/'), path.replaceAll(";[^/]*", ""))) {
            for (String decoded : List.of(base, decode(base, true), decode(base, false),
                    decode(decode(base, false), false))) {
                for (String collapsed : List.of(decoded, decoded.replaceAll("/{2,}", "/"))) {
                    for (String x : List.of(collapsed, removeDotSegments(collapsed),
                            removeDotSegments(collapsed).replaceAll("/{2,}", "/"))) {
                        out.add(x);
                        out.add(x.endsWith("/") ? x.substring(0, x.length() - 1) : x);
                        out.add(x.trim());
                    }
                }
            }
        }
        return out;
    }

    /** Decodes %XX escapes: only those of unreserved characters (as Vert.x normalizes a path), or all. */
    private static String decode(String text, boolean unreservedOnly) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                int value = hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]);
                boolean unreserved = Character.isLetterOrDigit(value) && value < 128 || "-._~".indexOf(value) >= 0;
                if (!unreservedOnly || unreserved) {
                    out.write(value);
                    i += 2;
                    continue;
                }
            }
            out.write(bytes[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }

    /** RFC 3986, 5.2.4. */
    private static String removeDotSegments(String path) {
        StringBuilder in = new StringBuilder(path);
        StringBuilder out = new StringBuilder();
        while (in.length() > 0) {
            String s = in.toString();
            if (s.startsWith("../")) {
                in.delete(0, 3);
            } else if (s.startsWith("./")) {
                in.delete(0, 2);
            } else if (s.startsWith("/./")) {
                in.delete(0, 2);
            } else if (s.equals("/.")) {
                in.replace(0, 2, "/");
            } else if (s.startsWith("/../") || s.equals("/..")) {
                in.delete(0, 3);
                if (in.length() == 0 || in.charAt(0) != '/') {
                    in.insert(0, '/');
                }
                int last = out.lastIndexOf("/");
                out.setLength(Math.max(last, 0));
            } else if (s.equals(".") || s.equals("..")) {
                in.setLength(0);
            } else {
                int next = s.indexOf('/', s.startsWith("/") ? 1 : 0);
                int end = next < 0 ? s.length() : next;
                out.append(s, 0, end);
                in.delete(0, end);
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sending
    // ------------------------------------------------------------------------------------------------------------

    /** The request for HttpClient, or {@code null} when HttpClient refuses it (it then goes out on a raw socket). */
    private HttpRequest toHttpRequest(Req req) {
        if (hasLoneSurrogate(req.target)) {
            // the JDK client fails on it itself (a NullPointerException while encoding), before anything is sent
            return null;
        }
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + req.target))
                    .timeout(Duration.ofSeconds(10))
                    .method(req.method, req.body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(req.body));
            for (String[] h : req.headers) {
                builder.header(h[0], h[1]);
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private void renderRaw(Req req, Random r, String kind) {
        req.rawKind = kind;
        String method = req.method;
        String target = req.target;
        String version = "HTTP/1.1";
        String eol = "\r\n";
        byte[] body = req.body == null ? new byte[0] : req.body;
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] { "Host", "127.0.0.1:" + port });
        headers.addAll(req.headers);
        boolean optional = !clean(req);
        byte[] payload = body;
        switch (kind) {
            case "http10":
                version = "HTTP/1.0";
                headers.remove(0);
                addLength(headers, body);
                break;
            case "chunked": {
                headers.add(new String[] { "Transfer-Encoding", "chunked" });
                payload = chunked(r, body, true);
                break;
            }
            case "chunked-bad":
                headers.add(new String[] { "Transfer-Encoding", pick(r, "chunked", "chunked, chunked", "gzip, chunked",
                        "identity", "Chunked", " chunked") });
                payload = concat(pick(r, "zz\r\n", "-1\r\n", "ffffffffffffffffffff\r\n", "5\r\nabc",
                        "3;ext=\"x\r\nabc\r\n0\r\n\r\n", "10\r\nshort\r\n0\r\n\r\n", "0\r\n").getBytes(
                                StandardCharsets.ISO_8859_1),
                        r.nextBoolean() ? body : new byte[0]);
                optional = true;
                req.shutdownOutput = true;
                break;
            case "truncated":
                headers.add(new String[] { "Content-Length", String.valueOf(body.length + 1 + r.nextInt(1_000)) });
                optional = true;
                req.shutdownOutput = true;
                break;
            case "short-cl":
                headers.add(new String[] { "Content-Length", String.valueOf(body.length == 0 ? 0 : r.nextInt(body.length)) });
                if (body.length == 0) {
                    payload = "garbage after the body".getBytes(StandardCharsets.ISO_8859_1);
                }
                optional = true;
                break;
            case "cl-te":
                headers.add(new String[] { "Content-Length", String.valueOf(body.length) });
                headers.add(new String[] { "Transfer-Encoding", "chunked" });
                payload = r.nextBoolean() ? body : chunked(r, body, true);
                optional = true;
                req.shutdownOutput = true;
                break;
            case "dup-cl":
                headers.add(new String[] { "Content-Length", String.valueOf(body.length) });
                headers.add(new String[] { "Content-Length", String.valueOf(body.length + r.nextInt(3)) });
                optional = true;
                req.shutdownOutput = true;
                break;
            case "bad-cl":
                headers.add(new String[] {
                        "Content-Length",
                        pick(r, "abc", "-1", "1 2", "99999999999999999999", "+5", "0x10", "", " ", body.length + ",x") });
                optional = true;
                req.shutdownOutput = true;
                break;
            case "garbage-line": {
                String line = pick(r, method, method + " " + target, method + " " + target + " HTTP/1.1 extra",
                        method + " " + target + " HTTP/2.0", method + " " + target + " HTTP/9.9",
                        method + "  " + target + "  HTTP/1.1", "\t" + method + " " + target + " HTTP/1.1",
                        method + " " + target + " http/1.1", method + " " + target + " HTTP/1.1\u0000",
                        method + " " + target + " HTTP/1.", "HTTP/1.1 200 OK", "\u0016\u0003\u0001\u0002\u0000\u0001",
                        new String(randomBytes(r, 1 + r.nextInt(200)), StandardCharsets.ISO_8859_1),
                        " " + target + " HTTP/1.1", method + "\u0000 " + target + " HTTP/1.1");
                req.raw = concat((line + eol + "Host: 127.0.0.1" + eol + "Connection: close" + eol + eol)
                        .getBytes(StandardCharsets.UTF_8), body);
                req.answerOptional = true;
                req.shutdownOutput = r.nextBoolean();
                return;
            }
            case "bad-header":
                headers.add(pick(r, new String[] { "NoColon", null }, new String[] { " Leading", "space" },
                        new String[] { "Name ", "v" }, new String[] { "Na me", "v" }, new String[] { "X-Nul", "a\u0000b" },
                        new String[] { "X-Cr", "a\rb" }, new String[] { "", "empty name" },
                        new String[] { "X-Fold", "a\r\n  folded" }, new String[] { "\u00e9", "non-ascii name" }));
                addLength(headers, body);
                optional = true;
                break;
            case "no-host":
                headers.remove(0);
                addLength(headers, body);
                optional = true;
                break;
            case "absolute":
                target = (r.nextBoolean() ? "http://127.0.0.1:" + port : "http://evil.example") + target;
                addLength(headers, body);
                optional = true;
                break;
            case "big-header":
                headers.add(new String[] { "X-Huge", token(r, 6_000 + r.nextInt(1_000)) });
                addLength(headers, body);
                break;
            case "huge-header":
                headers.add(new String[] { "X-Huge", token(r, 9_000 + r.nextInt(20_000)) });
                addLength(headers, body);
                optional = true;
                break;
            case "long-line":
                target = target + (target.contains("?") ? "&" : "?") + "pad=" + token(r, 5_000 + r.nextInt(5_000));
                addLength(headers, body);
                optional = true;
                break;
            case "pipelined": {
                addLength(headers, body);
                headers.add(new String[] { "Connection", "keep-alive" });
                byte[] first = concat(head(method, target, version, headers, eol), body);
                Req second = new Req(req.n);
                second.method = pick(r, "GET", "POST", "DELETE");
                second.target = BASE + "/" + pick(r, "events", "approval/" + pick(r, waitIds)) + "?sig=" + token(r, 43);
                List<String[]> secondHeaders = new ArrayList<>();
                secondHeaders.add(new String[] { "Host", "127.0.0.1" });
                secondHeaders.add(new String[] { "Content-Length", "2" });
                secondHeaders.add(new String[] { "Connection", "close" });
                req.raw = concat(first, concat(head(second.method, second.target, version, secondHeaders, eol),
                        "{}".getBytes(StandardCharsets.ISO_8859_1)));
                req.answerOptional = optional;
                return;
            }
            case "close-early": {
                addLength(headers, body);
                byte[] whole = concat(head(method, target, version, headers, eol), body);
                req.raw = Arrays.copyOf(whole, r.nextInt(whole.length));
                req.closeEarly = true;
                req.answerOptional = true;
                return;
            }
            case "expect":
                headers.add(new String[] { "Expect", pick(r, "100-continue", "100-continue", "200-ok", "") });
                addLength(headers, body);
                optional |= !headers.get(headers.size() - 2)[1].equals("100-continue");
                break;
            case "bare-lf":
                eol = "\n";
                addLength(headers, body);
                optional = true;
                break;
            case "h2c-upgrade":
                headers.add(new String[] { "Connection", "Upgrade, HTTP2-Settings" });
                headers.add(new String[] { "Upgrade", pick(r, "h2c", "websocket", "junk") });
                headers.add(new String[] { "HTTP2-Settings", pick(r, "AAMAAABkAARAAAAAAAIAAAAA", "!!", "") });
                addLength(headers, body);
                optional = true;
                req.shutdownOutput = true;
                break;
            default:
                addLength(headers, body);
                break;
        }
        if (!kind.equals("pipelined")) {
            headers.add(new String[] { "Connection", "close" });
        }
        byte[] head = head(method, target, version, headers, eol);
        req.answerOptional = optional || head.length > 8_000;
        req.raw = concat(head, payload);
    }

    private static void addLength(List<String[]> headers, byte[] body) {
        headers.add(new String[] { "Content-Length", String.valueOf(body.length) });
    }

    /** Whether the request is plain HTTP that any server must answer. */
    private static boolean clean(Req req) {
        if (!req.method.matches("[A-Za-z][A-Za-z-]*") || req.target.length() > 3_500 || !req.target.startsWith("/")) {
            return false;
        }
        for (char c : req.target.toCharArray()) {
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        for (String[] h : req.headers) {
            if (!h[0].matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+") || FRAMING_HEADERS.contains(h[0].toLowerCase(Locale.ROOT))) {
                return false;
            }
            for (char c : h[1].toCharArray()) {
                if (c < 0x20 || c > 0x7e) {
                    return false;
                }
            }
        }
        return true;
    }

    private static byte[] head(String method, String target, String version, List<String[]> headers, String eol) {
        StringBuilder text = new StringBuilder(method).append(' ').append(target).append(' ').append(version).append(eol);
        for (String[] h : headers) {
            text.append(h[0]);
            if (h[1] != null) {
                text.append(": ").append(h[1]);
            }
            text.append(eol);
        }
        return text.append(eol).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] chunked(Random r, byte[] body, boolean terminate) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int size = Math.min(body.length - at, 1 + r.nextInt(4_000));
            out.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, at, size);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            at += size;
        }
        if (terminate) {
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    /** Whether the HTTP server refuses the request before routing it: a request line or headers over its limits. */
    private static boolean oversized(HttpRequest request) {
        int line = request.method().length() + request.uri().toString().length() + 16;
        int headers = request.headers().map().entrySet().stream()
                .mapToInt(h -> h.getValue().stream().mapToInt(v -> h.getKey().length() + v.length() + 4).sum()).sum();
        // with room for the headers the client adds (Host, User-Agent, Content-Length)
        return line > 3_900 || headers > 7_900;
    }

    /** Sends a raw request and reads every answer until the server closes; records 5xx and missing answers. */
    private void sendRaw(Req req) {
        List<Integer> answers = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        String failure = null;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(req.answerOptional ? 2_000 : 10_000);
            OutputStream out = socket.getOutputStream();
            out.write(req.raw);
            out.flush();
            if (req.closeEarly) {
                socket.setSoLinger(true, 0);
                return;
            }
            if (req.shutdownOutput) {
                socket.shutdownOutput();
            }
            failure = readAnswers(socket.getInputStream(), req.headRequest, answers, bodies);
        } catch (IOException e) {
            failure = e.toString();
        } finally {
            for (int i = 0; i < answers.size(); i++) {
                count(answers.get(i));
                // the HTTP codec answers a request line of an unknown HTTP version 501, as RFC 9110 has it
                boolean unknownVersion = answers.get(i) == 501 && req.rawKind.equals("garbage-line");
                if (answers.get(i) >= 500 && !unknownVersion) {
                    problems.serverError(req, answers.get(i), i < bodies.size() ? bodies.get(i) : "");
                }
            }
            if (answers.isEmpty()) {
                count(-1);
                String why = failure != null && failure.startsWith("no more") ? " (timed out)" : "";
                channels.computeIfAbsent("unanswered raw:" + req.rawKind + why, k -> new AtomicInteger())
                        .incrementAndGet();
                if (!req.answerOptional && !req.closeEarly) {
                    problems.unanswered.add(req.describe() + " -> no answer (" + failure + ")");
                }
            }
        }
    }

    /**
     * Reads answers (status and body) until the server closes the connection.
     *
     * @return why reading stopped early, or {@code null} when the server closed the connection after its answers
     */
    private static String readAnswers(InputStream in, boolean head, List<Integer> answers, List<String> bodies) {
        try {
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return null;
                }
                if (line.isEmpty()) {
                    continue;
                }
                String[] parts = line.split(" ", 3);
                if (!parts[0].startsWith("HTTP/") || parts.length < 2) {
                    return "not an HTTP answer: " + escape(abbreviate(line, 100));
                }
                int status = Integer.parseInt(parts[1].trim());
                long length = -1;
                boolean chunked = false;
                String header;
                while ((header = readLine(in)) != null && !header.isEmpty()) {
                    String lower = header.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(lower.substring(15).trim());
                    } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                        chunked = true;
                    }
                }
                if (status >= 100 && status < 200) {
                    continue;
                }
                answers.add(status);
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                if (head && answers.size() == 1 || status == 204 || status == 304) {
                    bodies.add("");
                    continue;
                }
                if (chunked) {
                    String size;
                    while ((size = readLine(in)) != null) {
                        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                        if (n == 0) {
                            while ((size = readLine(in)) != null && !size.isEmpty()) {
                                // trailers
                            }
                            break;
                        }
                        body.writeBytes(in.readNBytes(n));
                        in.readNBytes(2);
                    }
                } else if (length >= 0) {
                    body.writeBytes(in.readNBytes((int) length));
                } else {
                    body.writeBytes(in.readAllBytes());
                    bodies.add(body.toString(StandardCharsets.ISO_8859_1));
                    return null;
                }
                bodies.add(body.toString(StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            return "no more bytes within the socket timeout";
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                break;
            }
            if (line.size() > 65_536) {
                throw new IOException("answer line too long");
            }
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Logs
    // ------------------------------------------------------------------------------------------------------------

    private static final List<String> SERVER_LOGGERS = List.of("io.vertx", "io.netty");

    /**
     * Captures what is logged at WARN and above while fuzzing; the HTTP server's own loggers (which log every
     * connection a malformed request resets) go to the capture only, to be summarized rather than printed.
     */
    private static AbstractAppender captureLogs(List<LogEvent> events) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        AbstractAppender appender = new AbstractAppender("fuzz-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
                    events.add(event.toImmutable());
                }
            }
        };
        appender.start();
        Configuration configuration = context.getConfiguration();
        configuration.getRootLogger().addAppender(appender, Level.WARN, null);
        for (String name : SERVER_LOGGERS) {
            LoggerConfig logger = new LoggerConfig(name, Level.WARN, false);
            logger.addAppender(appender, Level.WARN, null);
            configuration.addLogger(name, logger);
        }
        context.updateLoggers();
        return appender;
    }

    private static void detach(AbstractAppender appender) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        for (String name : SERVER_LOGGERS) {
            configuration.removeLogger(name);
        }
        configuration.getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }

    /** A log event by its logger, message and exception types, without the details that differ per request. */
    private static String summary(LogEvent event) {
        StringBuilder causes = new StringBuilder();
        for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
            causes.append(causes.length() == 0 ? " [" : " < ").append(t.getClass().getName());
        }
        return event.getLevel() + " " + event.getLoggerName() + ": "
               + abbreviate(event.getMessage().getFormattedMessage(), 100) + (causes.length() == 0 ? "" : causes + "]");
    }

    private static String describe(LogEvent event) {
        Throwable thrown = event.getThrown();
        return event.getLevel() + " " + event.getLoggerName() + ": " + event.getMessage().getFormattedMessage()
               + (thrown == null ? "" : " [" + thrown + "]");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Small helpers
    // ------------------------------------------------------------------------------------------------------------

    private static int indexOfParam(List<String> params, String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).startsWith(name + "=")) {
                return i;
            }
        }
        return -1;
    }

    private static String cut(String text, char at) {
        int i = text.indexOf(at);
        return i < 0 ? text : text.substring(0, i);
    }

    private static int randomIndex(Random r, String text) {
        return r.nextInt(text.length() + 1);
    }

    private static char randomChar(Random r) {
        return r.nextInt(10) < 6 ? B64.charAt(r.nextInt(B64.length())) : ODD.charAt(r.nextInt(ODD.length()));
    }

    private static String token(Random r, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(B64.charAt(r.nextInt(B64.length())));
        }
        return text.toString();
    }

    private static byte[] randomBytes(Random r, int length) {
        byte[] bytes = new byte[length];
        r.nextBytes(bytes);
        return bytes;
    }

    private static String percentEncode(Random r, char c) {
        StringBuilder out = new StringBuilder();
        for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
            String hex = String.format("%%%02X", b & 0xff);
            out.append(r.nextBoolean() ? hex : hex.toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    private static <T> T pick(Random r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…(" + text.length() + " chars)";
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '\r') {
                out.append("\\r");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c < 0x20 || c >= 0x7f && c < 0xa0) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

package org.apache.camel.component.logicwebhook;

import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captures the log of a trigger and action run with credentials, including failures: the component's at TRACE, and
 * the rest of Camel's at INFO, the level applications run it at (Camel's own DEBUG output, such as the property parser's,
 * prints resolved values and is Camel's concern). It holds no credential, no signing key and no signed URL.
 */
class LogicWebhookLogSecretsTest extends LogicWebhookTestSupport {

    private static final String PASSWORD = "pw-7f3a9c1e-secret";
    private static final String TOKEN = "tok-5b2d8e4f-secret";
    /** The unsubscribe's own credentials: the trigger's a token, the action's a password. */
    private static final String UNSUBSCRIBE_TOKEN = "untok-3c9a1d7e-secret";
    private static final String UNSUBSCRIBE_PASSWORD = "unpw-8e2f6b4a-secret";
    private static final Pattern SIGNED_URL = Pattern.compile("sig(=|%3D|%3d)[A-Za-z0-9_\\-]{16,}");

    private final StringWriter captured = new StringWriter();
    private Appender appender;
    private Level rootLevel;

    @Override
    protected void doPreSetup() throws Exception {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = logging.getConfiguration();
        appender = WriterAppender.createAppender(PatternLayout.newBuilder().withPattern("%p %c %m %ex%n").build(), null,
                captured, "capture", false, true);
        appender.start();
        LoggerConfig root = configuration.getRootLogger();
        rootLevel = root.getLevel();
        Appender console = root.getAppenders().get("out");
        root.removeAppender("out");
        root.addAppender(console, Level.WARN, null);
        root.addAppender(appender, Level.TRACE, null);
        root.setLevel(Level.INFO);
        configuration.getLoggerConfig("org.apache.camel.component.logicwebhook").setLevel(Level.TRACE);
        logging.updateLoggers();

        service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"s-1\"}"));
        // the unsubscribe fails, echoing what it got: its failure is logged
        service.on("DELETE /subscriptions/", r -> FakeService.Answer.of(500, "{\"error\":\"" + r.query() + "\"}"));
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"j-1\"}"));
    }

    @AfterEach
    void restoreLogging() {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = logging.getConfiguration().getRootLogger();
        Appender console = root.getAppenders().get("out");
        root.removeAppender("capture");
        root.removeAppender("out");
        root.addAppender(console, null, null);
        root.setLevel(rootLevel);
        logging.getConfiguration().getLoggerConfig("org.apache.camel.component.logicwebhook").setLevel(Level.INFO);
        logging.updateLoggers();
        appender.stop();
    }

    /** Credentials come from properties, as in a real application. */
    @Override
    protected java.util.Properties useOverridePropertiesWithPropertiesComponent() {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("feed.password", PASSWORD);
        properties.setProperty("job.token", TOKEN);
        properties.setProperty("feed.unsubscribeToken", UNSUBSCRIBE_TOKEN);
        properties.setProperty("job.unsubscribePassword", UNSUBSCRIBE_PASSWORD);
        return properties;
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:feed?subscribeUri=" + service.url() + "/subscriptions"
                     + "&authMethod=Basic&authUsername=camel&authPassword={{feed.password}}"
                     + "&unsubscribeUri=RAW(" + service.url() + "/subscriptions/${variable.subscription[id]}"
                     + "?cb=${variable.callbackUrlEncoded})&unsubscribeAuthBearerToken={{feed.unsubscribeToken}}"
                     // one retry, due at once: its log line is captured too
                     + "&retryPolicy=fixed&retryCount=1&retryInterval=0")
                        .routeId("feed").to("mock:feed");

                from("direct:job")
                        .to("logicwebhook:job?subscribeUri=" + service.url() + "/jobs&authBearerToken={{job.token}}"
                            + "&unsubscribeUri=RAW(" + service.url() + "/jobs/${variable.subscription[id]})"
                            + "&unsubscribeAuthMethod=Basic&unsubscribeAuthUsername=admin"
                            + "&unsubscribeAuthPassword={{job.unsubscribePassword}}"
                            + "&timeout=2s&requestTimeout=2s")
                        .to("mock:job");
            }
        };
    }

    @Test
    void noSecretAndNoSignedUrlReachesTheLogs() throws Exception {
        String feedUrl = json(service.requests("POST", "/subscriptions").get(0).body()).path("callbackUrl").asText();
        assertEquals(202, service.post(feedUrl, "{\"event\":1}").statusCode());
        assertEquals(401, service.post(feedUrl.replaceAll("sig=.*", "sig=AAAA"), "{}").statusCode());

        // an action resumed, one timed out (after a forged call to its failure URL)
        Future<Exchange> resumed = template.asyncSend("direct:job", e -> e.getMessage().setBody("a"));
        Future<Exchange> failed = template.asyncSend("direct:job", e -> e.getMessage().setBody("b"));
        List<FakeService.Recorded> jobs = awaitRequests("POST", "/jobs", 2);
        assertEquals("Bearer " + TOKEN, jobs.get(0).header("Authorization"));
        assertEquals(200, service.post(json(jobs.get(0).body()).path("callbackUrl").asText(), "done").statusCode());
        String failureUrl = json(jobs.get(1).body()).path("callbackUrl").asText()
                .replaceFirst("\\?", "/fail?");
        assertEquals(401, service.post(failureUrl, "broken").statusCode(), "the failure URL is signed separately");
        // one of the two was called back, the other times out
        long failures = java.util.stream.Stream.of(resumed.get(10, TimeUnit.SECONDS), failed.get(10, TimeUnit.SECONDS))
                .filter(e -> e.getException() != null).count();
        assertEquals(1, failures);

        // a subscribe that fails, quoting the callback URL back
        service.on("POST /refuse", r -> FakeService.Answer.of(400, "{\"refused\":" + r.body() + "}"));
        try {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("logicwebhook:refused?subscribeUri=" + service.url() + "/refuse").to("mock:refused");
                }
            });
        } catch (Exception expected) {
            // logged by Camel as a failed route start
        }
        context.getRouteController().stopRoute("feed");

        await().until(() -> captured.toString().contains("Could not unsubscribe feed"));
        // each unsubscribe was sent with its endpoint's unsubscribe credential, so that it could reach the log
        assertEquals("Bearer " + UNSUBSCRIBE_TOKEN,
                service.requests("DELETE", "/subscriptions/").get(0).header("Authorization"));
        String unsubscribeBasic = basic("admin", UNSUBSCRIBE_PASSWORD);
        awaitRequests("DELETE", "/jobs/", 2).forEach(r -> assertEquals(unsubscribeBasic, r.header("Authorization")));
        String logs = captured.toString();
        assertTrue(logs.contains("retry 1 of 1"), "the retry was logged");
        for (String secret : List.of(PASSWORD, TOKEN, UNSUBSCRIBE_TOKEN, UNSUBSCRIBE_PASSWORD,
                unsubscribeBasic.substring("Basic ".length()), SIGNING_KEY)) {
            int at = logs.indexOf(secret);
            assertEquals(-1, at, () -> "a secret in the logs: ..." + logs.substring(Math.max(0, at - 300), at + 40));
        }
        Matcher signed = SIGNED_URL.matcher(logs);
        assertFalse(signed.find(), () -> "a signed URL in the logs: ..." + logs.substring(
                Math.max(0, signed.start() - 200), Math.min(logs.length(), signed.end() + 50)));
    }
}

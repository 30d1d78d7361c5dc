package org.apache.camel.component.logicwebhook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unsubscribe request's own authentication, as Logic Apps has it: a service that creates subscriptions with one
 * credential and deletes them with another. The fake refuses a subscribe and an unsubscribe that carries the other
 * request's credential (or none), so each test passes only when every request carried its own, and only its own.
 */
class LogicWebhookUnsubscribeAuthTest extends LogicWebhookTestSupport {

    /** Stands for the fake's token endpoint URL in the options. */
    private static final String TOKEN_ENDPOINT = "TOKEN_ENDPOINT";

    /** A subscribe credential, and the different one of the unsubscribe: the options, and the header each must bring. */
    enum TwoCredentials {
        BASIC_THEN_BEARER(
                "authMethod=Basic&authUsername=creator&authPassword=RAW(cr3ate-pw)", basic("creator", "cr3ate-pw"),
                "unsubscribeAuthBearerToken=RAW(adm1n-t0ken)", "Bearer adm1n-t0ken"),
        BEARER_THEN_BASIC(
                "authBearerToken=RAW(sc0ped-t0ken)", "Bearer sc0ped-t0ken",
                "unsubscribeAuthMethod=Basic&unsubscribeAuthUsername=admin&unsubscribeAuthPassword=RAW(adm1n-pw)",
                basic("admin", "adm1n-pw")),
        RAW_THEN_OAUTH2(
                "authorization=RAW(SharedAccessSignature sr=subs&sig=cr3ate)", "SharedAccessSignature sr=subs&sig=cr3ate",
                "unsubscribeOauth2ClientId=deleter&unsubscribeOauth2ClientSecret=RAW(d3lete-s3cret)"
                + "&unsubscribeOauth2TokenEndpoint=" + TOKEN_ENDPOINT + "&unsubscribeOauth2Scope=api://subs/.default",
                "Bearer token-for-deleter");

        final String subscribeOptions;
        final String subscribeAuthorization;
        final String unsubscribeOptions;
        final String unsubscribeAuthorization;

        TwoCredentials(String subscribeOptions, String subscribeAuthorization, String unsubscribeOptions,
                       String unsubscribeAuthorization) {
            this.subscribeOptions = subscribeOptions;
            this.subscribeAuthorization = subscribeAuthorization;
            this.unsubscribeOptions = unsubscribeOptions;
            this.unsubscribeAuthorization = unsubscribeAuthorization;
        }
    }

    private final TestClock clock = new TestClock();

    @Override
    void configureComponent(LogicWebhookComponent component) {
        sweepByHand(component, clock);
    }

    /** The token endpoint knows one client, RAW_THEN_OAUTH2's unsubscribe client, with client_secret_basic. */
    @Override
    protected void doPreSetup() throws Exception {
        service.requireAuthorization("POST /oauth2/token", basic("deleter", "d3lete-s3cret")::equals, r -> {
            String form = URLDecoder.decode(r.body(), StandardCharsets.UTF_8);
            return form.contains("grant_type=client_credentials") && form.contains("scope=api://subs/.default")
                    ? FakeService.Answer.of(200, "{\"access_token\":\"token-for-deleter\",\"token_type\":\"Bearer\","
                                                        + "\"expires_in\":3600}")
                    : FakeService.Answer.of(400, "{\"error\":\"invalid_request\"}");
        });
    }

    @ParameterizedTest
    @EnumSource(TwoCredentials.class)
    void theTriggerSubscribesWithOneCredentialAndUnsubscribesOnStopWithTheOther(TwoCredentials credentials)
            throws Exception {
        serviceRequires(credentials, "/subs");

        addTrigger("feed", bothOptions(credentials));
        assertTrue(context.getRouteController().getRouteStatus("feed").isStarted());
        context.getRouteController().stopRoute("feed");

        // the first attempt of an unsubscribe is made by the stop itself
        assertEachRequestCarriedItsOwnCredential(credentials, "/subs");
        assertEquals(0, endpoint("feed").getUnsubscribeFailures());
    }

    @ParameterizedTest
    @EnumSource(TwoCredentials.class)
    void theActionUnsubscribesAfterItsCallbackWithTheUnsubscribeCredential(TwoCredentials credentials) throws Exception {
        Future<Exchange> pending = subscribeAnAction(credentials);

        String callback = json(service.requests("POST", "/jobs").get(0).body()).path("callbackUrl").asText();
        assertEquals(200, service.post(callback, "approved").statusCode());
        assertNull(pending.get(10, TimeUnit.SECONDS).getException());

        // after the exchange resumed, on the worker pool
        awaitRequests("DELETE", "/jobs/", 1);
        assertEachRequestCarriedItsOwnCredential(credentials, "/jobs");
    }

    @ParameterizedTest
    @EnumSource(TwoCredentials.class)
    void theActionUnsubscribesOnTimeoutWithTheUnsubscribeCredential(TwoCredentials credentials) throws Exception {
        Future<Exchange> pending = subscribeAnAction(credentials);

        sweepAfter(clock, TimeUnit.MINUTES.toMillis(10));

        // the timeout unsubscribes first, then fails the exchange
        assertInstanceOf(ExchangeTimedOutException.class, pending.get(10, TimeUnit.SECONDS).getException());
        assertEachRequestCarriedItsOwnCredential(credentials, "/jobs");
        assertEquals(0, endpoint("job").getUnsubscribeFailures());
    }

    @Test
    void withoutOptionsOfItsOwnTheUnsubscribeCarriesTheSubscribesCredentialAsBefore() throws Exception {
        TwoCredentials credentials = TwoCredentials.BASIC_THEN_BEARER;
        serviceRequires(credentials, "/subs");

        addTrigger("shared", credentials.subscribeOptions);
        context.getRouteController().stopRoute("shared");

        // which this service refuses: it deletes only with the other credential
        List<FakeService.Recorded> refused = service.refused();
        assertEquals(1, refused.size());
        assertEquals("DELETE /subs/s1", refused.get(0).method() + " " + refused.get(0).path());
        assertEquals(credentials.subscribeAuthorization, refused.get(0).header("Authorization"));
        assertEquals(1, endpoint("shared").getUnsubscribeFailures());
    }

    private String bothOptions(TwoCredentials credentials) {
        return credentials.subscribeOptions + "&"
               + credentials.unsubscribeOptions.replace(TOKEN_ENDPOINT, service.url() + "/oauth2/token");
    }

    /** Subscribes at {@code POST path} only with the subscribe credential, unsubscribes only with the other. */
    private void serviceRequires(TwoCredentials credentials, String path) {
        service.requireAuthorization("POST " + path, credentials.subscribeAuthorization::equals,
                r -> FakeService.Answer.of(201, "{\"id\":\"s1\"}"));
        service.requireAuthorization("DELETE " + path + "/", credentials.unsubscribeAuthorization::equals,
                r -> new FakeService.Answer(204, null, Map.of()));
    }

    private void assertEachRequestCarriedItsOwnCredential(TwoCredentials credentials, String path) {
        assertEquals(List.of(), service.refused(), "requests the service refused");
        List<FakeService.Recorded> subscribes = service.requests("POST", path);
        assertEquals(1, subscribes.size());
        assertEquals(credentials.subscribeAuthorization, subscribes.get(0).header("Authorization"));
        List<FakeService.Recorded> unsubscribes = service.requests("DELETE", path + "/s1");
        assertEquals(1, unsubscribes.size());
        assertEquals(credentials.unsubscribeAuthorization, unsubscribes.get(0).header("Authorization"));
    }

    private void addTrigger(String name, String authOptions) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:" + name + "?subscribeUri=" + service.url() + "/subs"
                     + "&unsubscribeUri=RAW(" + service.url() + "/subs/${variable.subscription[id]})&" + authOptions)
                        .routeId(name).to("mock:" + name);
            }
        });
    }

    /** Adds an action with both credentials, and sends it an exchange, which has subscribed on return. */
    private Future<Exchange> subscribeAnAction(TwoCredentials credentials) throws Exception {
        serviceRequires(credentials, "/jobs");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:job")
                        .to("logicwebhook:job?subscribeUri=" + service.url() + "/jobs"
                            + "&unsubscribeUri=RAW(" + service.url() + "/jobs/${variable.subscription[id]})"
                            + "&timeout=PT5M&" + bothOptions(credentials))
                        .to("mock:job");
            }
        });
        Future<Exchange> pending = template.asyncSend("direct:job", e -> e.getMessage().setBody("order-1"));
        awaitRequests("POST", "/jobs", 1);
        return pending;
    }

    private LogicWebhookEndpoint endpoint(String name) {
        return context.getEndpoints().stream().filter(e -> e instanceof LogicWebhookEndpoint)
                .map(LogicWebhookEndpoint.class::cast).filter(e -> name.equals(e.getName())).findFirst().orElseThrow();
    }
}

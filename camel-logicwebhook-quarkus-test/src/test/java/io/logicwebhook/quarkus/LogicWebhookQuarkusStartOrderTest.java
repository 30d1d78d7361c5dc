package io.logicwebhook.quarkus;

import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.apache.camel.component.logicwebhook.FakeService;
import org.junit.jupiter.api.Test;

import static io.logicwebhook.quarkus.StartAfterHttpServerRoutes.RECEIVED;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Camel Quarkus starts the routes before the HTTP server listens, so a trigger that starts with Camel subscribes while
 * its callback URL still refuses connections. A trigger started on Quarkus' {@code HttpServerStart} event takes a
 * callback that its service sends before answering the subscribe request (as Microsoft Graph's validation does).
 */
@QuarkusTest
@TestProfile(StartAfterHttpServerProfile.class)
@WithTestResource(value = FakeServiceResource.class,
                  initArgs = @ResourceArg(name = FakeServiceResource.CALL_BACK_WHILE_SUBSCRIBING, value = "true"))
class LogicWebhookQuarkusStartOrderTest {

    /** Set by {@link FakeServiceResource}. */
    FakeService service;

    @Test
    void aTriggerStartedWhenTheHttpServerListensTakesACallbackSentWhileItSubscribes() throws Exception {
        assertEquals(FakeServiceResource.EARLY_CALLBACK_BODY, RECEIVED.poll(10, TimeUnit.SECONDS),
                "the callback sent while subscribing did not reach the trigger's route");
        assertEquals(1, service.requests("POST", "/subscriptions").size());
    }
}

package io.logicwebhook.karaf;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.logicwebhook.FakeService;
import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.apache.camel.test.AvailablePortFinder;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Boots Apache Karaf 4.4 from its Maven artifact, installs the component's features file (feature camel-logicwebhook)
 * against a stand-in for camel-karaf's features made of the plain Camel 4.18 jars, and a probe bundle that starts a
 * Camel context with a logicwebhook trigger and action on platform-http-vertx. Then, over real loopback HTTP: the
 * trigger subscribes, a signed callback reaches its route and a forged one gets 401; the action waits for its callback
 * and answers with its body; stopping Karaf unsubscribes the trigger.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KarafBootIT {

    static final String COMPONENT_BUNDLE = "io.logicwebhook.camel-logicwebhook";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger JOB_IDS = new AtomicInteger();

    private static FakeService service;
    private static Karaf karaf;
    private static String base;

    @BeforeAll
    static void bootKaraf() throws Exception {
        service = new FakeService();
        service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"sub-1\"}"));
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-" + JOB_IDS.incrementAndGet() + "\"}"));
        int port = AvailablePortFinder.getNextAvailable();
        base = "http://127.0.0.1:" + port;

        Path target = Path.of("target");
        String standIn = StandInCamelFeatures.write(Path.of(System.getProperty("karaf.repository")),
                System.getProperty("camel.version"), Path.of(System.getProperty("karaf.probe")).toAbsolutePath(),
                target.resolve("camel-stand-in-features.xml").toAbsolutePath());
        karaf = Karaf.prepare(Path.of(System.getProperty("karaf.distribution")), target.resolve("karaf-it"))
                .mavenRepository(Path.of(System.getProperty("karaf.repository")))
                .bootFeatures(List.of(standIn, System.getProperty("karaf.features")),
                        List.of("camel-logicwebhook", "logicwebhook-karaf-probe"))
                .systemProperties(Map.of("logicwebhook.it.fakeUrl", service.url(),
                        "logicwebhook.it.httpPort", String.valueOf(port)))
                .start();
        try {
            await().atMost(150, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                    .failFast("Karaf exited, or failed to install its boot features",
                            () -> !karaf.isRunning() || karaf.bootFailed())
                    .ignoreExceptions()
                    .until(() -> service.send("GET", base + "/it/osgi", null).statusCode() == 200);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            fail("the probe's Camel context did not come up in Karaf: " + e.getMessage() + "\n" + karaf.logTail());
        }
    }

    @AfterAll
    static void shutDown() throws Exception {
        if (karaf != null) {
            karaf.close();
        }
        if (service != null) {
            service.close();
        }
    }

    private static List<String> report() throws Exception {
        HttpResponse<String> answer = service.send("GET", base + "/it/osgi", null);
        assertEquals(200, answer.statusCode(), answer.body());
        return Arrays.asList(answer.body().split("\n"));
    }

    private static List<FakeService.Recorded> awaitRequests(String method, String path, int count) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> service.requests(method, path).size() >= count);
        return service.requests(method, path);
    }

    private static String callbackUrlOf(FakeService.Recorded subscribe) throws Exception {
        return JSON.readTree(subscribe.body()).path("callbackUrl").asText();
    }

    @Test
    @Order(1)
    void everyBundleIsActiveAndTheComponentIsWiredToTheCamel418Bundles() throws Exception {
        List<String> report = report();
        // the evidence, in the test's output
        System.out.println("What the probe saw in Karaf:\n" + String.join("\n", report));
        assertTrue(report.contains("bundle " + COMPONENT_BUNDLE + " 1.0.0.SNAPSHOT ACTIVE"), String.join("\n", report));
        List<String> notActive = report.stream().filter(line -> line.startsWith("bundle "))
                .filter(line -> !line.contains(" ACTIVE") && !line.endsWith(" fragment")).toList();
        assertTrue(notActive.isEmpty(), "bundles not active: " + notActive);

        // every import of the component is wired, its Camel packages to Camel 4.18.0 bundles
        List<String> imports = report.stream().filter(line -> line.startsWith("import ")).toList();
        for (String pkg : List.of("org.apache.camel", "org.apache.camel.support", "org.apache.camel.spi",
                "org.apache.camel.component.http", "org.apache.camel.component.platform.http",
                "org.apache.camel.component.platform.http.spi", "com.fasterxml.jackson.databind",
                "org.apache.hc.client5.http", "org.slf4j", "io.vertx.core.http")) {
            assertTrue(imports.stream().anyMatch(line -> line.startsWith("import " + pkg + " ")),
                    pkg + " is not wired: " + imports);
        }
        List<String> camelImports = imports.stream().filter(line -> line.startsWith("import org.apache.camel")).toList();
        assertFalse(camelImports.isEmpty());
        for (String line : camelImports) {
            assertTrue(line.matches("import \\S+ 4\\.18\\.0 from org\\.apache\\.camel\\.\\S+ 4\\.18\\.0"), line);
        }

        // what camel-karaf's extender needs to publish a ComponentResolver and ConfigurerResolvers for the bundle: it
        // is ACTIVE (above), sees the same org.apache.camel as the Camel runtime, and the classes its descriptors
        // name load from it and are of the right type
        assertTrue(report.contains("shares-org.apache.camel true"), String.join("\n", report));
        assertTrue(report.contains("descriptor component/logicwebhook"
                                   + " org.apache.camel.component.logicwebhook.LogicWebhookComponent Component=true"),
                String.join("\n", report));
        assertTrue(report.contains("descriptor configurer/logicwebhook-component"
                                   + " org.apache.camel.component.logicwebhook.LogicWebhookComponentConfigurer"
                                   + " PropertyConfigurer=true"), String.join("\n", report));
        assertTrue(report.contains("descriptor configurer/logicwebhook-endpoint"
                                   + " org.apache.camel.component.logicwebhook.LogicWebhookEndpointConfigurer"
                                   + " PropertyConfigurer=true"), String.join("\n", report));
        // and Camel, inside the framework, created the component from the component's bundle
        assertTrue(report.contains("resolved logicwebhook org.apache.camel.component.logicwebhook.LogicWebhookComponent"
                                   + " from " + COMPONENT_BUNDLE), String.join("\n", report));
        assertTrue(report.contains("route orders-trigger Started"), String.join("\n", report));
        assertTrue(report.contains("route approval-action Started"), String.join("\n", report));
    }

    @Test
    @Order(2)
    void theTriggerSubscribedAndItsRouteGetsASignedCallbackButNotAForgedOne() throws Exception {
        FakeService.Recorded subscribe = awaitRequests("POST", "/subscriptions", 1).get(0);
        assertEquals("orders", subscribe.header(LogicWebhookConstants.OPERATION_NAME_HEADER));
        String callbackUrl = callbackUrlOf(subscribe);
        assertTrue(callbackUrl.startsWith(base + "/logicwebhook/orders?sig="), callbackUrl);

        HttpResponse<String> answer = service.post(callbackUrl, "{\"order\":42}", "Content-Type", "application/json",
                "X-Event-Id", "evt-1");
        assertEquals(202, answer.statusCode());
        FakeService.Recorded received = awaitRequests("POST", "/received", 1).get(0);
        assertEquals("{\"order\":42}", received.body());
        assertEquals("evt-1", received.header("X-Event-Id"));

        String forged = callbackUrl.substring(0, callbackUrl.indexOf("?sig=")) + "?sig=forged";
        assertEquals(401, service.post(forged, "{\"order\":43}").statusCode());
        assertEquals(1, service.requests("POST", "/received").size(), "a forged callback reached the route");
    }

    @Test
    @Order(3)
    void theActionWaitsForItsCallbackAndAnswersWithItsBody() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CompletableFuture<HttpResponse<String>> approval = CompletableFuture.supplyAsync(() -> {
            try {
                return service.post(base + "/it/approve", "order-7", "Content-Type", "text/plain");
            } catch (Exception e) {
                failure.set(e);
                return null;
            }
        });
        FakeService.Recorded subscribe = awaitRequests("POST", "/jobs", 1).get(0);
        assertEquals("approval", subscribe.header(LogicWebhookConstants.OPERATION_NAME_HEADER));
        String callbackUrl = callbackUrlOf(subscribe);
        assertTrue(callbackUrl.startsWith(base + "/logicwebhook/approval/"), callbackUrl);
        assertFalse(approval.isDone(), "the action must wait for its callback");

        assertEquals(200, service.post(callbackUrl, "{\"approved\":true}", "Content-Type", "application/json")
                .statusCode());
        HttpResponse<String> answer = approval.get(10, TimeUnit.SECONDS);
        assertEquals(null, failure.get());
        assertEquals(200, answer.statusCode());
        assertEquals("{\"approved\":true}", answer.body());
        assertEquals("/jobs/job-1", awaitRequests("DELETE", "/jobs/", 1).get(0).path());
        assertEquals(409, service.post(callbackUrl, "{}").statusCode());
    }

    @Test
    @Order(4)
    void stoppingKarafStopsTheBundleAndTheTriggerUnsubscribes() throws Exception {
        assertTrue(service.requests("DELETE", "/subscriptions/").isEmpty());
        karaf.stop(60, TimeUnit.SECONDS);
        List<FakeService.Recorded> deletes = service.requests("DELETE", "/subscriptions/");
        assertEquals(1, deletes.size(), karaf.logTail());
        assertEquals("/subscriptions/sub-1", deletes.get(0).path());
        assertEquals("orders", deletes.get(0).header(LogicWebhookConstants.OPERATION_NAME_HEADER));
    }
}

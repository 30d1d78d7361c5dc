package org.apache.camel.example.logicwebhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.apache.camel.component.logicwebhook.LogicWebhookHandedOverException;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The restart of the README: an order waits for its approval, the application stops (gracefully, as Ctrl-C stops it)
 * and starts again on the same port and data folder, and the Approve button's request then resumes the order in its
 * resumeUri route, order-approved. The application runs as {@link ExampleApplication} runs it, a Camel Main, twice in a
 * row, with the settings of a run by hand (no auto-approval).
 */
class ExampleRestartTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port = AvailablePortFinder.getNextAvailable();
    private final Path dataDir = ExampleTestSupport.newDataDir(getClass().getSimpleName());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Main running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.stop();
        }
    }

    @Test
    void anOrderLeftPendingAcrossARestartContinuesInOrderApprovedOnceApproved() throws Exception {
        CamelContext first = start();
        NotifyBuilder handedOver = new NotifyBuilder(first).fromRoute("order-approval")
                .whenAnyDoneMatches(e -> e.getProperty(Exchange.EXCEPTION_CAUGHT) instanceof LogicWebhookHandedOverException)
                .create();
        Map<?, ?> waiting = await().atMost(Duration.ofSeconds(15))
                .until(this::approvals, list -> list.size() == 1).get(0);
        String approvalId = waiting.get("id").toString();
        String orderId = ((Map<?, ?>) waiting.get("order")).get("id").toString();

        // Ctrl-C: the order's exchange ends, handed over to the wait store; the subscription (the approval) stays
        running.stop();
        running = null;
        assertTrue(handedOver.matches(0, TimeUnit.SECONDS), "the waiting order was not handed over to the wait store");
        assertTrue(Files.exists(dataDir.resolve("logicwebhook.mv.db")), "no wait store in " + dataDir);

        CamelContext second = start();
        NotifyBuilder resumed = new NotifyBuilder(second).fromRoute("order-approved")
                .whenAnyDoneMatches(e -> orderId.equals(e.getVariable("orderId"))
                                         && e.getMessage().getHeader(LogicWebhookConstants.WAIT_ID) != null
                                         && approved(e))
                .create();
        // the page still lists it: the demo service kept it, as a remote service would
        assertTrue(approvals().stream().anyMatch(a -> approvalId.equals(a.get("id"))), "the approval was lost");

        // what the Approve button sends: the service calls the order's callback URL, which the restarted app accepts
        HttpResponse<String> approve = send("POST", "/demo/approvals/" + approvalId + "/approve");
        assertEquals(200, approve.statusCode(), approve.body());
        assertEquals(200, JSON.readValue(approve.body(), Map.class).get("requesterStatus"), approve.body());
        assertTrue(resumed.matches(15, TimeUnit.SECONDS),
                "order " + orderId + " did not continue in order-approved after the restart");

        // the second run's own order waits live, as before; approved, it goes the same way, and nothing is left
        NotifyBuilder live = new NotifyBuilder(second).fromRoute("order-approval").wereSentTo("direct:approved")
                .whenAnyDoneMatches(ExampleRestartTest::approved).create();
        String newApprovalId = await().atMost(Duration.ofSeconds(15))
                .until(this::approvals, list -> list.size() == 1).get(0).get("id").toString();
        assertEquals(200, send("POST", "/demo/approvals/" + newApprovalId + "/approve").statusCode());
        assertTrue(live.matches(15, TimeUnit.SECONDS), "the order of the second run did not continue");
        assertEquals("[]", send("GET", "/demo/approvals").body());
    }

    /** Runs the application as a person does, on this test's port and data folder, until {@link #stop}. */
    private CamelContext start() throws Exception {
        Main main = ExampleApplication.create();
        main.addOverrideProperty("camel.server.port", String.valueOf(port));
        main.addOverrideProperty("demo.dataDir", dataDir.toString());
        main.addOverrideProperty("demo.autoApprove", "false");
        main.addOverrideProperty("demo.orders", "1");
        running = main;
        main.start();
        return main.getCamelContext();
    }

    /** Done with the callback's JSON body {"approved": true}, not through an onException. */
    private static boolean approved(Exchange exchange) {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT) == null && exchange.getException() == null
               && exchange.getMessage().getBody() instanceof Map<?, ?> body && Boolean.TRUE.equals(body.get("approved"));
    }

    private List<Map<?, ?>> approvals() throws Exception {
        HttpResponse<String> response = send("GET", "/demo/approvals");
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readValue(response.body(), JSON.getTypeFactory().constructCollectionType(List.class, Map.class));
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

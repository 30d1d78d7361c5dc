package org.apache.camel.example.logicwebhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A person approves on the page: the pending approval is listed, and the request the Approve button sends resumes the
 * order.
 */
class ApprovalPageTest extends ExampleTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    void demoProperties(Properties properties) {
        properties.setProperty("demo.autoApprove", "false");
        properties.setProperty("demo.orders", "1");
    }

    @Test
    void approvingOnThePageResumesTheOrder() throws Exception {
        NotifyBuilder approved = new NotifyBuilder(context).fromRoute("order-approval").wereSentTo("direct:approved")
                .whenAnyDoneMatches(e -> e.getMessage().getBody() instanceof Map<?, ?> m
                                         && Boolean.TRUE.equals(m.get("approved"))
                                         && e.getProperty(Exchange.EXCEPTION_CAUGHT) == null)
                .create();

        HttpResponse<String> page = send("GET", "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("Approve") && page.body().contains("/demo/approvals/"), page.body());

        // the page lists what GET /demo/approvals returns: the order waits there
        List<?> pending = await().atMost(Duration.ofSeconds(10))
                .until(() -> JSON.readValue(send("GET", "/demo/approvals").body(), List.class), list -> list.size() == 1);
        String id = ((Map<?, ?>) pending.get(0)).get("id").toString();
        assertTrue(pending.get(0).toString().contains("widget"), pending.toString());
        assertTrue(!approved.matches(1, TimeUnit.SECONDS), "the order must wait for a person");

        // what the Approve button sends
        assertEquals(200, send("POST", "/demo/approvals/" + id + "/approve").statusCode());
        assertTrue(approved.matches(10, TimeUnit.SECONDS), "the order did not continue after the approval");
        assertEquals("[]", send("GET", "/demo/approvals").body());
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package org.apache.camel.component.logicwebhook;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The Java example of docs/durable-waits.md, as it is written there (the service's URL aside), run on both paths: the
 * live one (approved, rejected) and after a restart (handed over, then approved or rejected from the wait store). Its
 * log lines are what the test reads.
 */
class DurableWaitsExampleTest {

    /** The log EIP's logger (by default the route's id, which counts up across the JVM's contexts). */
    private static final String LOG_NAME = "DurableWaitsExample";

    private FakeService service;
    private final int port = AvailablePortFinder.getNextAvailable();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private DataSource database;
    private CamelContext context;

    /** The log EIP tells its listeners only what its logger logs: this one, for every route of the test. */
    @BeforeEach
    void logRoutes() {
        Configurator.setLevel(LOG_NAME, Level.INFO);
    }

    @AfterEach
    void tearDown() {
        Configurator.setLevel(LOG_NAME, (Level) null);
        if (context != null) {
            context.stop();
        }
        if (service != null) {
            service.close();
        }
        TestDatabases.close(database);
    }

    private CamelContext start() throws Exception {
        CamelContext started = TestNode.context(port, component -> component.setWaitStoreDataSource(database));
        started.getGlobalOptions().put(Exchange.LOG_EIP_NAME, LOG_NAME);
        started.getRegistry().bind("approvedOrders", MemoryIdempotentRepository.memoryIdempotentRepository());
        started.getCamelContextExtension().addLogListener((exchange, logger, message) -> {
            logged.add(message);
            return message;
        });
        String approvals = service.url() + "/requests";
        started.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // from here on as docs/durable-waits.md has it, with the service's URL
                onException(LogicWebhookHandedOverException.class).handled(true)
                        .log("order ${variable.orderId}: handed over to the wait store, it resumes after the restart");
                onException(LogicWebhookCallbackFailedException.class).handled(true)
                        .log("order ${variable.orderId} rejected");
                onException(ExchangeTimedOutException.class).handled(true)
                        .log("order ${variable.orderId}: no decision in time");

                from("direct:order")
                        .to("logicwebhook:approval?subscribeUri=" + approvals
                            + "&subscribeBody=RAW({\"order\":${body},\"approve\":\"${variable.callbackUrl}\",\"reject\":\"${variable.failureUrl}\"})"
                            + "&unsubscribeUri=RAW(" + approvals + "/${variable.subscription[id]})"
                            + "&timeout=P2D&resumeUri=direct:approved&snapshotVariables=orderId&snapshotHeaders=X-Customer")
                        .to("direct:approved");

                from("direct:approved")
                        .idempotentConsumer(simple("${variable.orderId}")).idempotentRepository("approvedOrders")
                            .skipDuplicate(true)
                        .log("order ${variable.orderId} approved: ${body}");
            }
        });
        started.start();
        return started;
    }

    private Future<Exchange> order(String id) {
        return context.createProducerTemplate().asyncSend("direct:order", exchange -> {
            exchange.getMessage().setBody(orderBody(id));
            exchange.setVariable("orderId", id);
        });
    }

    /** The approve (or reject) URL the service got for the order. */
    private String url(String id, String field) throws Exception {
        await().until(() -> service.requests("POST", "/requests").stream().anyMatch(r -> r.body().contains(orderBody(id))));
        String body = service.requests("POST", "/requests").stream().filter(r -> r.body().contains(orderBody(id)))
                .findFirst().orElseThrow().body();
        return LogicWebhookTestSupport.json(body).path(field).asText();
    }

    private static String orderBody(String id) {
        return "{\"id\":" + id + "}";
    }

    @Test
    void bothPathsRunTheSameStepsAndEndInTheSameWay() throws Exception {
        service = new FakeService();
        database = TestDatabases.H2.open();
        service.on("POST /requests", r -> FakeService.Answer.of(201, "{\"id\":\"r" + requests.incrementAndGet() + "\"}"));
        context = start();

        // the live path
        Future<Exchange> approved = order("1");
        assertEquals(200, service.post(url("1", "approve"), "{\"approved\":true}").statusCode());
        assertNull(approved.get(10, TimeUnit.SECONDS).getException());
        Future<Exchange> rejected = order("2");
        assertEquals(200, service.post(url("2", "reject"), "{\"reason\":\"no stock\"}").statusCode());
        assertNull(rejected.get(10, TimeUnit.SECONDS).getException(), "handled by the RouteBuilder's onException");

        // a redeploy in the middle of two approvals
        Future<Exchange> kept = order("3");
        Future<Exchange> keptToo = order("4");
        String approveLater = url("3", "approve");
        String rejectLater = url("4", "reject");
        context.stop();
        assertNull(kept.get(10, TimeUnit.SECONDS).getException(), "the hand-over is handled too");
        assertNull(keptToo.get(10, TimeUnit.SECONDS).getException());
        context = start();
        assertEquals(200, service.post(approveLater, "{\"approved\":true}").statusCode());
        assertEquals(200, service.post(rejectLater, "{\"reason\":\"too late\"}").statusCode());

        await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> assertEquals(List.of(
                "order 1 approved: {\"approved\":true}", "order 2 rejected",
                "order 3: handed over to the wait store, it resumes after the restart",
                "order 4: handed over to the wait store, it resumes after the restart",
                "order 3 approved: {\"approved\":true}", "order 4 rejected"),
                sorted(logged)));
    }

    /** The log lines in the order of the scenario: the hand-overs of one stop may come in either order. */
    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted((a, b) -> Integer.compare(rank(a), rank(b))).toList();
    }

    private static int rank(String line) {
        List<String> order = List.of("order 1 ", "order 2 ", "order 3:", "order 4:", "order 3 ", "order 4 ");
        for (int i = 0; i < order.size(); i++) {
            if (line.startsWith(order.get(i))) {
                return i;
            }
        }
        return order.size();
    }
}

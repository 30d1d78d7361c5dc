package org.apache.camel.component.logicwebhook;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.store.EmbeddedH2;

/**
 * An application whose actions keep their waits in an H2 file, run in a JVM of its own so that a test can kill it. Its
 * resumeUri route reports every wait it resumes to the fake service ({@code POST /resumed}), so the test can count them.
 * It starts {@code waits} long waits and {@code quick} short ones (3 s), prints READY once every subscribe answer is in
 * the store, and runs until it is killed or stopped (SIGTERM stops Camel gracefully, as a redeploy does).
 */
public final class DurableWaitsApp {

    private DurableWaitsApp() {
    }

    /**
     * @param args port, the fake service's URL, the store's JDBC URL (H2 or PostgreSQL), how many long waits, how many
     *             quick ones, and optionally the node timeout in milliseconds
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String service = args[1];
        DataSource store = args[2].startsWith("jdbc:h2:") ? EmbeddedH2.dataSource(args[2]) : TestDatabases.pool(args[2]);
        int waits = Integer.parseInt(args[3]);
        int quick = Integer.parseInt(args[4]);

        CamelContext context = TestNode.context(port, component -> {
            component.setWaitStoreDataSource(store);
            component.setWaitStoreHeartbeatInterval(500);
            if (args.length > 5) {
                component.setWaitStoreNodeTimeout(Long.parseLong(args[5]));
            }
        });
        String options = "?subscribeUri=" + service + "/jobs"
                         + "&subscribeBody=RAW({\"order\":\"${body}\",\"callback\":\"${variable.callbackUrl}\"})"
                         + "&unsubscribeUri=RAW(" + service + "/jobs/${variable.subscription[id]})"
                         + "&snapshotHeaders=X-Order&resumeUri=direct:resumed";
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:long").to("logicwebhook:approval" + options + "&timeout=PT10M").to("direct:resumed");
                from("direct:quick").to("logicwebhook:quickapproval" + options + "&timeout=PT3S").to("direct:resumed");
                from("direct:resumed")
                        .onException(Exception.class).handled(true)
                            .setBody(simple("{\"waitId\":\"${header.CamelLogicWebhookWaitId}\",\"order\":\"${header.X-Order}\","
                                            + "\"outcome\":\"${exception.class.simpleName}\"}"))
                            .to("direct:report")
                        .end()
                        .setBody(simple("{\"waitId\":\"${header.CamelLogicWebhookWaitId}\",\"order\":\"${header.X-Order}\","
                                        + "\"outcome\":\"${bodyAs(String)}\"}"))
                        .to("direct:report");
                from("direct:report")
                        .removeHeaders("*")
                        .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                        .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                        .to(service + "/resumed");
            }
        });
        context.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.stop();
            TestDatabases.close(store);
            stopped.countDown();
        }));
        ProducerTemplate template = context.createProducerTemplate();
        for (int i = 0; i < waits + quick; i++) {
            String order = "order-" + i;
            template.asyncSend(i < waits ? "direct:long" : "direct:quick", exchange -> {
                exchange.getMessage().setBody(order);
                exchange.getMessage().setHeader("X-Order", order);
            });
        }
        while (subscribed(store) < (long) waits + quick) {
            Thread.sleep(50);
        }
        System.out.println("READY");
        stopped.await();
    }

    private static long subscribed(DataSource store) throws Exception {
        try (Connection connection = store.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM logicwebhook_wait WHERE subscribed = TRUE")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}

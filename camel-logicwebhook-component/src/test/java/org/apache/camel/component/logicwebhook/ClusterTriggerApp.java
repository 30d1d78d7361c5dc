package org.apache.camel.component.logicwebhook;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;

/**
 * One node of a cluster, in a JVM of its own: a trigger that only the leader runs, through Camel's cluster service (a
 * file lock on a shared folder) and either {@code master:} or a {@code ClusteredRoutePolicy}, with its subscription
 * kept in a PostgreSQL wait store shared by the nodes. Each event the trigger takes is reported to the fake service
 * ({@code POST /events}) with the node's name. Prints STARTED, then LEADER or FOLLOWER as that changes.
 */
public final class ClusterTriggerApp {

    private ClusterTriggerApp() {
    }

    /** @param args master|policy, node name, cluster folder, port, the fake service's URL, the store's JDBC URL */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String node = args[1];
        int port = Integer.parseInt(args[3]);
        String service = args[4];
        DataSource store = TestDatabases.pool(args[5]);

        CamelContext context = TestNode.context(port, component -> {
            component.setWaitStoreDataSource(store);
            component.setWaitStoreHeartbeatInterval(500);
            component.setWaitStoreNodeTimeout(2_000);
        });
        FileLockClusterService cluster = new FileLockClusterService();
        cluster.setId(node);
        cluster.setRoot(args[2]);
        cluster.setAcquireLockDelay(500, TimeUnit.MILLISECONDS);
        cluster.setAcquireLockInterval(500, TimeUnit.MILLISECONDS);
        cluster.setHeartbeatTimeoutMultiplier(2);
        context.addService(cluster);
        String trigger = "logicwebhook:orders?subscribeUri=" + service + "/subscriptions"
                         + "&unsubscribeUri=RAW(" + service + "/subscriptions/${variable.subscription[id]})";
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                (mode.equals("master") ? from("master:orders:" + trigger)
                        : from(trigger).routePolicy(ClusteredRoutePolicy.forNamespace("orders")))
                        .convertBodyTo(String.class)
                        .setBody(simple("{\"node\":\"" + node + "\",\"event\":${body}}"))
                        .removeHeaders("*")
                        .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                        .to(service + "/events");
            }
        });
        context.start();
        cluster.getView("orders").addEventListener((CamelClusterEventListener.Leadership) (view, leader) -> System.out
                .println(view.getLocalMember().isLeader() ? "LEADER" : "FOLLOWER"));
        System.out.println("STARTED");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.stop();
            stopped.countDown();
        }));
        stopped.await();
    }
}

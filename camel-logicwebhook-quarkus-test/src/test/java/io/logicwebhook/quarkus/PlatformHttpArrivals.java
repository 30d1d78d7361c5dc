package io.logicwebhook.quarkus;

import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Counts, on Quarkus' router (on the event loop, before platform-http hands a request to the worker pool), the requests
 * to {@code /hold} that arrived, and the most requests to {@code /start} in the server at once: with every worker held,
 * the requests beyond the workers are queued on the pool.
 */
@ApplicationScoped
public class PlatformHttpArrivals {

    static final AtomicInteger HOLDS_ARRIVED = new AtomicInteger();
    static final AtomicInteger STARTS_IN_SERVER = new AtomicInteger();
    static final AtomicInteger STARTS_PEAK = new AtomicInteger();

    void count(@Observes Router router) {
        router.route("/hold").order(-10).handler(ctx -> {
            HOLDS_ARRIVED.incrementAndGet();
            ctx.next();
        });
        router.route("/start").order(-10).handler(ctx -> {
            STARTS_PEAK.accumulateAndGet(STARTS_IN_SERVER.incrementAndGet(), Math::max);
            ctx.addEndHandler(ended -> STARTS_IN_SERVER.decrementAndGet());
            ctx.next();
        });
    }
}

package org.apache.camel.component.logicwebhook.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntSupplier;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;

/**
 * Puts action exchanges into their wait: each with no body (the payload is not the component's), sent with Camel's
 * async API so that nothing of the benchmark's holds on to them but the callback it passes.
 */
final class Waits {

    private Waits() {
    }

    /**
     * Sends {@code count} exchanges from a fixed pool of threads (the subscribe request is made on the sender's
     * thread), and returns when {@code pending} reads {@code target}.
     */
    static void create(CamelContext context, AsyncProducer producer, ExecutorService senders, int threads, int count,
                       Function<Exchange, AsyncCallback> callback, IntSupplier pending, int target, long timeoutMillis)
            throws Exception {
        AtomicInteger left = new AtomicInteger(count);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            tasks.add(senders.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    Exchange exchange = new DefaultExchange(context);
                    producer.process(exchange, callback.apply(exchange));
                }
                return null;
            }));
        }
        for (Future<?> task : tasks) {
            task.get();
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (pending.getAsInt() < target) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("only " + pending.getAsInt() + " of " + target + " waits are pending");
            }
            Thread.sleep(10);
        }
    }
}

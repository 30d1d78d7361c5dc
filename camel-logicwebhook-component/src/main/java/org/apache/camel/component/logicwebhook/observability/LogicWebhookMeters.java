package org.apache.camel.component.logicwebhook.observability;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * The component's meters in the application's Micrometer registry. The only class that refers to Micrometer, loaded
 * only when Micrometer is on the classpath. The counters and the gauge read the statistics' own adders, so a callback
 * costs Micrometer nothing; only the wait-duration timer records as waits end.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class LogicWebhookMeters implements ComponentStatistics.Meters {

    /** The name camel-micrometer (and Camel Main's camel.metrics) binds its registry under. */
    public static final String REGISTRY_NAME = "metricsRegistry";

    private final MeterRegistry registry;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    private LogicWebhookMeters(MeterRegistry registry, StoreStatistics store) {
        this.registry = registry;
        if (store.isDurable()) {
            for (String state : StoreStatistics.STATES) {
                meters.add(Gauge.builder("logicwebhook.store.waits", store, s -> s.waits(state))
                        .description("Waits the durable wait store holds, by state, as of its last heartbeat")
                        .tag("state", state.toLowerCase(Locale.ROOT)).register(registry));
            }
        }
    }

    /** The meters of the context's registry, or {@code null} when it has none. */
    public static ComponentStatistics.Meters of(CamelContext context, StoreStatistics store) {
        MeterRegistry registry = findRegistry(context.getRegistry());
        return registry != null ? new LogicWebhookMeters(registry, store) : null;
    }

    private static MeterRegistry findRegistry(Registry camel) {
        MeterRegistry named = camel.lookupByNameAndType(REGISTRY_NAME, MeterRegistry.class);
        if (named != null) {
            return named;
        }
        Set<MeterRegistry> all = camel.findByType(MeterRegistry.class);
        if (all.size() == 1) {
            return all.iterator().next();
        }
        // Spring Boot with several backends: its composite registry feeds them all
        return all.stream().filter(CompositeMeterRegistry.class::isInstance).findFirst().orElse(null);
    }

    @Override
    public void bind(EndpointStatistics statistics) {
        Tags endpoint = Tags.of("endpoint", statistics.name);
        for (CallbackOutcome outcome : CallbackOutcome.ALL) {
            meters.add(FunctionCounter.builder("logicwebhook.callbacks", statistics, s -> s.callbacks(outcome))
                    .description("Callbacks answered, by the outcome of their answer").tags(endpoint)
                    .tag("outcome", outcome.tag).register(registry));
        }
        if (ComponentStatistics.UNATTRIBUTED.equals(statistics.name)) {
            return;
        }
        meters.add(Gauge.builder("logicwebhook.waits.pending", statistics, EndpointStatistics::pendingWaits)
                .description("Exchanges of the action waiting for their callback").tags(endpoint).register(registry));
        meters.add(FunctionCounter
                .builder("logicwebhook.subscribe.failures", statistics, EndpointStatistics::subscribeFailures)
                .description("Subscribe requests that failed after their retries").tags(endpoint).register(registry));
        meters.add(FunctionCounter
                .builder("logicwebhook.unsubscribe.failures", statistics, EndpointStatistics::unsubscribeFailures)
                .description("Unsubscribe requests that failed after their retries").tags(endpoint)
                .register(registry));
        Timer[] timers = new Timer[WaitOutcome.ALL.length];
        for (WaitOutcome outcome : WaitOutcome.ALL) {
            timers[outcome.ordinal()] = Timer.builder("logicwebhook.wait.duration")
                    .description("How long the action's waits lasted, by how they ended").tags(endpoint)
                    .tag("outcome", outcome.tag).register(registry);
            meters.add(timers[outcome.ordinal()]);
        }
        statistics.setWaitDurations(
                (outcome, millis) -> timers[outcome.ordinal()].record(millis, TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}

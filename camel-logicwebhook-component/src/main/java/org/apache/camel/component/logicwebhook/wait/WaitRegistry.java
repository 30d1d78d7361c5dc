package org.apache.camel.component.logicwebhook.wait;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.component.logicwebhook.observability.WaitOutcome;
import org.apache.camel.component.logicwebhook.subscription.DueTasks;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.LRUCacheFactory;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The action's waits, keyed by callback id, in the manner of camel-jms' reply manager: a wait is registered before its
 * subscribe request goes out, and whoever finishes it first (callback, timeout, cancel) owns its exchange. Finished
 * waits are remembered (bounded) so that a late or repeated callback can be answered 409 or 410 rather than 404.
 * Timeouts are found by a sweeper that reads an injectable clock and handed to the worker pool.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class WaitRegistry extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(WaitRegistry.class);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ID_ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final CamelContext context;
    private final Map<String, PendingWait> waits = new ConcurrentHashMap<>();
    private final DueTasks dueTasks;
    private final Map<String, WaitOutcome> finished;
    private final long sweepInterval;
    private final int workerPoolSize;
    private volatile Clock clock;
    private ScheduledExecutorService sweeper;
    private ExecutorService workers;

    public WaitRegistry(CamelContext context, Clock clock, DueTasks dueTasks, int finishedCapacity, long sweepInterval,
                 int workerPoolSize) {
        this.dueTasks = dueTasks;
        this.workerPoolSize = workerPoolSize;
        this.context = context;
        this.clock = clock;
        this.finished = LRUCacheFactory.newLRUCache(finishedCapacity);
        this.sweepInterval = sweepInterval;
    }

    /** 128 random bits: the callback id is not guessable even before the signature is checked. */
    public static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return ID_ENCODER.encodeToString(bytes);
    }

    public long now() {
        return clock.millis();
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    public void register(PendingWait wait) {
        if (waits.putIfAbsent(wait.id, wait) != null) {
            throw new IllegalStateException("Duplicate callback id");
        }
        wait.statistics().waitStarted();
    }

    public PendingWait get(String id) {
        return waits.get(id);
    }

    /** The outcome of a finished wait, or {@code null} when the id is unknown (or long forgotten). */
    public WaitOutcome finishedOutcome(String id) {
        return finished.get(id);
    }

    /**
     * Moves a wait to its outcome. The finished entry is written before the wait leaves the map, so a concurrent
     * duplicate always finds one or the other.
     *
     * @return true when the caller now owns the exchange
     */
    public boolean finish(PendingWait wait, WaitOutcome outcome) {
        if (!wait.tryFinish(outcome)) {
            return false;
        }
        finished.put(wait.id, outcome);
        waits.remove(wait.id, wait);
        wait.statistics().waitEnded(outcome, now() - wait.startedAt);
        return true;
    }

    /**
     * Takes back a wait whose subscribe failed, leaving no trace of it.
     *
     * @return true when the caller still owned it
     */
    public boolean abandon(PendingWait wait) {
        if (!wait.tryFinish(WaitOutcome.CANCELLED)) {
            return false;
        }
        waits.remove(wait.id, wait);
        wait.statistics().waitAbandoned();
        return true;
    }

    /**
     * A heartbeat: the wait's deadline moves to now + timeout, never past its hard deadline.
     *
     * @return true when the wait is still pending afterwards
     */
    public boolean extend(PendingWait wait, long timeout) {
        long next = Math.min(saturatedAdd(now(), timeout), wait.hardDeadline);
        if (next > wait.deadline) {
            wait.deadline = next;
        }
        return wait.isPending();
    }

    /**
     * Gives up every retry and renewal still waiting for its time, and any scheduled from now on: the application is
     * stopping, and a route start that waits for a retry must not hold up the stop.
     */
    public void abandonScheduled() {
        for (DueTasks.Task task : dueTasks.close()) {
            execute(task::abandon);
        }
    }

    /** Finishes every expired wait as timed out and hands each to the worker pool, with every task that is due. */
    public void sweep() {
        long now = now();
        for (PendingWait wait : waits.values()) {
            if (wait.deadline <= now && finish(wait, WaitOutcome.TIMED_OUT)) {
                execute(() -> wait.owner.onTimeout(wait));
            }
        }
        for (DueTasks.Task task : dueTasks.takeDue(now)) {
            execute(task::run);
        }
    }

    /**
     * Fails every wait of an owner (of all owners when {@code null}) on the worker pool, then unsubscribes them, so that
     * a stopping route or context does not wait for callbacks that may never come.
     */
    public void cancel(WaitOwner owner, String reason) {
        List<PendingWait> cancelled = new ArrayList<>();
        for (PendingWait wait : waits.values()) {
            if ((owner == null || wait.owner == owner) && finish(wait, WaitOutcome.CANCELLED)) {
                cancelled.add(wait);
            }
        }
        if (!cancelled.isEmpty()) {
            LOG.info("Cancelling {} pending logicwebhook wait(s): {}", cancelled.size(), reason);
        }
        // every exchange fails first, so that a stop waits for no unsubscribe; the unsubscribes queue behind
        for (PendingWait wait : cancelled) {
            execute(() -> wait.owner.onCancel(wait, reason));
        }
        for (PendingWait wait : cancelled) {
            execute(() -> {
                OutboundRequest unsubscribe = wait.takeUnsubscribe();
                if (unsubscribe != null) {
                    wait.owner.unsubscribe(wait, unsubscribe);
                }
            });
        }
    }

    public int size() {
        return waits.size();
    }

    /** How many retries and renewals wait for their time. */
    public int scheduledTasks() {
        return dueTasks.size();
    }

    /** The pending waits, as they are now (weakly consistent). */
    public Iterable<PendingWait> pending() {
        return waits.values();
    }

    public void execute(Runnable task) {
        ExecutorService pool = workers;
        if (pool == null || pool.isShutdown()) {
            task.run();
        } else {
            pool.execute(task);
        }
    }

    @Override
    protected void doStart() throws Exception {
        // an unbounded queue: a sweep may hand over thousands of timeouts at once, and none may be refused
        ThreadPoolProfile profile = new ThreadPoolProfile("LogicWebhookWorker");
        profile.setPoolSize(workerPoolSize);
        profile.setMaxPoolSize(workerPoolSize);
        // Camel reads -1 as "no queue" (a hand-off that runs the task on the caller when the workers are busy)
        profile.setMaxQueueSize(Integer.MAX_VALUE);
        workers = context.getExecutorServiceManager().newThreadPool(this, "LogicWebhookWorker", profile);
        dueTasks.open();
        sweeper = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "LogicWebhookTimeouts");
        sweeper.scheduleWithFixedDelay(this::sweep, sweepInterval, sweepInterval, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        context.getExecutorServiceManager().shutdown(sweeper);
        abandonScheduled();
        context.getExecutorServiceManager().shutdownGraceful(workers, 10_000);
        sweeper = null;
        workers = null;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}

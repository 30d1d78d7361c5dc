package org.apache.camel.component.logicwebhook.wait;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.camel.CamelContext;
import org.apache.camel.component.logicwebhook.LogicWebhookStoreException;
import org.apache.camel.component.logicwebhook.observability.StoreStatistics;
import org.apache.camel.component.logicwebhook.observability.WaitOutcome;
import org.apache.camel.component.logicwebhook.store.StoredWait;
import org.apache.camel.component.logicwebhook.store.TriggerLease;
import org.apache.camel.component.logicwebhook.store.WaitStore;
import org.apache.camel.component.logicwebhook.subscription.DueTasks;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.service.ServiceHelper;
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
    private static final HexFormat HEX = HexFormat.of();

    private final CamelContext context;
    private final Map<String, PendingWait> waits = new ConcurrentHashMap<>();
    private final DueTasks dueTasks;
    private final WaitStore store;
    /** Whether the store keeps waits beyond this JVM: then they are written, handed over and recovered. */
    private final boolean durable;
    private final long sweepInterval;
    private final int workerPoolSize;
    /** This start of the component: the owner of the waits it writes to a durable store. */
    private final String incarnation = newId();
    private final Orphans orphans;
    /** With a durable store: the finished waits whose unsubscribe may not have been sent yet. */
    private final UnsubscribeJournal unsubscribes;
    private volatile Clock clock;
    private volatile ScheduledExecutorService sweeper;
    private ExecutorService workers;
    /** Listens for the store's announcements of waits that another node finished (PostgreSQL). */
    private ExecutorService listener;
    /** The last timeout's write failed: the next failures are not logged again, each wait at each sweep. */
    private final AtomicBoolean timeoutsFailing = new AtomicBoolean();
    /**
     * Waits that left memory whose hand-over (a route stopped) the store did not take: written again at every heartbeat
     * until it does, else this live node would keep them (no other adopts a live node's waits) with no exchange.
     */
    private final Set<String> handOverAgain = ConcurrentHashMap.newKeySet();
    /**
     * Likewise, waits whose cancel the store did not take (they would stay pending): those whose subscribe failed, and
     * those of an action without a resumeUri that a stop cancelled.
     */
    private final Set<String> cancelAgain = ConcurrentHashMap.newKeySet();
    /** Set by {@link #stopWaiting}: no orphan is adopted until the stop. */
    private volatile boolean waitsStopped;

    public WaitRegistry(CamelContext context, Clock clock, DueTasks dueTasks, WaitStore store, Recovery recovery,
                        StoreStatistics storeStatistics, long sweepInterval, int workerPoolSize) {
        this.dueTasks = dueTasks;
        this.store = store;
        this.durable = store.isDurable();
        this.workerPoolSize = workerPoolSize;
        this.context = context;
        this.clock = clock;
        this.sweepInterval = sweepInterval;
        this.unsubscribes = durable ? new UnsubscribeJournal() : null;
        this.orphans = durable ? new Orphans(this, store, recovery, storeStatistics) : null;
    }

    /**
     * The time in milliseconds (12 hex digits) and 128 random bits (base64url): 34 characters. The random bits make the
     * callback id unguessable even before the signature is checked; the time first puts the waits created together
     * next to each other in a store's indexes, so that a commit rewrites a few pages of each, not one page per wait (on
     * H2 that was most of a wait's cost).
     */
    public static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HEX.toHexDigits(System.currentTimeMillis()).substring(4) + ID_ENCODER.encodeToString(bytes);
    }

    public long now() {
        return clock.millis();
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    /**
     * Registers a wait before its subscribe request goes out; with a durable store, writes it first.
     *
     * @param  snapshot                   the exchange as JSON, for a {@code resumeUri}; or {@code null}
     * @throws LogicWebhookStoreException when the store cannot write it: nothing is registered
     */
    public void register(PendingWait wait, String snapshot) {
        if (waits.putIfAbsent(wait.id, wait) != null) {
            throw new IllegalStateException("Duplicate callback id");
        }
        if (durable) {
            try {
                store.insert(new StoredWait(wait.id, wait.owner.name(), incarnation, false, WaitStore.PENDING, false,
                        wait.startedAt, wait.deadline, wait.hardDeadline, null, snapshot, null, false));
            } catch (RuntimeException e) {
                waits.remove(wait.id, wait);
                throw e;
            }
        }
        wait.statistics().waitStarted();
    }

    /**
     * The subscribe request was answered: a durable store keeps how to unsubscribe (without credentials), whatever
     * became of the wait meanwhile (a wait handed over still needs it). A store that fails here is logged: the wait goes
     * on, but could not be unsubscribed by another incarnation.
     */
    public void subscribed(PendingWait wait, OutboundRequest unsubscribe) {
        if (!durable) {
            return;
        }
        try {
            store.subscribed(wait.id, StoredRequests.toStored(unsubscribe));
        } catch (RuntimeException e) {
            LOG.warn("logicwebhook:{} could not keep a wait's unsubscribe request in the wait store: {}", wait.owner.name(),
                    e.getMessage());
        }
    }

    public PendingWait get(String id) {
        return waits.get(id);
    }

    /** What the store knows of a wait (a finished one only, for the in-memory store), or {@code null}. */
    public StoredWait stored(String id) {
        return store.find(id);
    }

    /**
     * Moves a wait to its outcome: the wait's own compare-and-set decides among the finishers of this JVM, then the
     * store's conditional update among every one. The outcome is in the store before the wait leaves the map, so a
     * concurrent duplicate always finds one or the other.
     *
     * @param  result                     what the callback carried (JSON), kept by a durable store; or {@code null}
     * @return                            true when the caller now owns the exchange
     * @throws LogicWebhookStoreException when the store failed: the wait is pending again
     */
    public boolean finish(PendingWait wait, WaitOutcome outcome, String result) {
        return wait.tryFinish(outcome) && commit(wait, outcome, result);
    }

    /**
     * Writes the outcome a finisher set on the wait, and takes the wait out of the map. With a durable store, a wait
     * that unsubscribes once finished is in the unsubscribe journal from before its claim until its unsubscribe is over.
     */
    private boolean commit(PendingWait wait, WaitOutcome outcome, String result) {
        boolean unsubscribes = durable && (outcome == WaitOutcome.TIMED_OUT || outcome == WaitOutcome.CANCELLED
                                           || wait.owner.unsubscribesOnCallback());
        long now = unsubscribes ? this.unsubscribes.open(wait, now()) : now();
        boolean ours;
        try {
            ours = store.finish(wait.id, outcome.name(), result, true, now);
        } catch (RuntimeException e) {
            unsubscribed(wait);
            wait.revert(outcome);
            throw e;
        }
        waits.remove(wait.id, wait);
        if (!ours) {
            unsubscribed(wait);
            // another node finished it in the store first (its callback reached that node), or a recovery that took
            // this JVM for dead: what the store says wins
            execute(() -> finishedElsewhere(wait));
            return false;
        }
        wait.statistics().waitEnded(outcome, now() - wait.startedAt);
        return true;
    }

    /**
     * Writes again the hand-overs and cancels the store did not take (at a heartbeat, on the worker pool, and at the
     * stop). A failure is logged at DEBUG (the heartbeat reports the store's outage) and tried again the next time.
     */
    void writeAgain() {
        try {
            if (!handOverAgain.isEmpty()) {
                List<String> ids = List.copyOf(handOverAgain);
                int handedOver = store.handOver(incarnation, ids);
                // those no longer to deliver (a callback that reached another node, and was delivered) need none
                ids.forEach(handOverAgain::remove);
                if (handedOver > 0) {
                    LOG.info("{} logicwebhook wait(s) handed over to the wait store now that it answers", handedOver);
                }
            }
            for (String id : List.copyOf(cancelAgain)) {
                if (!store.finish(id, WaitOutcome.CANCELLED.name(), null, true, now())) {
                    // its exchange here ended with the cancel; the callback another node answered 200 reaches nothing
                    LOG.warn("A logicwebhook wait cancelled while the wait store could not be reached was finished on"
                             + " another node meanwhile (its callback taken there): its exchange here had ended already");
                }
                cancelAgain.remove(id);
            }
        } catch (RuntimeException e) {
            LOG.debug("Hand-overs and cancels the wait store did not take are written again at the next heartbeat: {}",
                    e.getMessage());
        }
    }

    /**
     * A finished wait unsubscribes: now, or once its subscribe answer comes (when it has not yet); its journal entry is
     * closed once that is over, or now when there is nothing to send.
     */
    public void unsubscribe(PendingWait wait) {
        OutboundRequest request;
        boolean known;
        synchronized (wait) {
            request = wait.takeUnsubscribe();
            known = wait.isSubscribeOver();
        }
        if (request != null) {
            send(wait, request);
        } else if (known) {
            unsubscribed(wait);
        }
    }

    /** Sends a finished wait's unsubscribe request; its journal entry is closed once that is over. */
    public void send(PendingWait wait, OutboundRequest request) {
        unsubscribing(wait.owner.name(), () -> wait.owner.unsubscribe(wait.id, wait.exchange.getExchangeId(), request),
                () -> unsubscribed(wait));
    }

    /**
     * Sends an unsubscribe, and runs {@code over} (which closes its journal entry) once it is over; one that the stop cut
     * short does not, so that the entry stays open and the next start sends it again. One that could not even be sent
     * is logged, and runs it.
     */
    void unsubscribing(String endpoint, Supplier<CompletableFuture<Boolean>> send, Runnable over) {
        CompletableFuture<Boolean> sent;
        try {
            sent = send.get();
        } catch (RuntimeException e) {
            LOG.warn("logicwebhook:{} could not send an unsubscribe; the subscription may still exist at the service: {}",
                    endpoint, e.getMessage());
            over.run();
            return;
        }
        sent.thenAccept(done -> {
            if (done) {
                over.run();
            }
        });
    }

    /** A finished wait's unsubscribe is over, or it has none to send. */
    public void unsubscribed(Object entry) {
        if (unsubscribes != null) {
            unsubscribes.close(entry);
        }
    }

    /**
     * Opens a journal entry for work that will unsubscribe finished waits (see {@link UnsubscribeJournal}).
     *
     * @return the time to write as their finished time
     */
    long openUnsubscribes(Object entry) {
        return unsubscribes.open(entry, now());
    }

    UnsubscribeJournal unsubscribeJournal() {
        return unsubscribes;
    }

    /**
     * Another node finished a wait whose exchange waits here, and told the store: the callback it took resumes the
     * exchange here (announced by the store, or found by the heartbeat's poll).
     */
    public void resumeFinishedElsewhere(String id) {
        PendingWait wait = waits.get(id);
        if (wait == null) {
            return;
        }
        StoredWait stored = store.find(id);
        if (stored == null || stored.isPending() || stored.delivered()) {
            return;
        }
        // a finisher of this JVM that comes first (a timeout) finds the store's outcome in its commit, and resumes it so
        if (wait.tryFinish(WaitOutcome.valueOf(stored.state()))) {
            waits.remove(id, wait);
            execute(() -> finishedElsewhere(wait));
        }
    }

    /** The listener's loop: resumes what the store announces, until the registry stops. */
    private void listen() {
        while (isRunAllowed() && !Thread.currentThread().isInterrupted()) {
            try {
                for (String id : store.awaitFinishedElsewhere(1_000)) {
                    resumeFinishedElsewhere(id);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the heartbeat's poll finds what this misses
                LOG.debug("Listening for waits finished elsewhere failed: {}", e.getMessage());
            }
        }
    }

    /**
     * Ends the exchange as the store says another node (or a recovery) finished its wait: resumed with the callback the
     * store kept, when this incarnation still owns the wait and so takes its delivery (one conditional update); failed
     * otherwise (the wait timed out or was cancelled there, or another node adopted it, taking this one for gone, and
     * delivers it to its resumeUri).
     */
    private void finishedElsewhere(PendingWait wait) {
        StoredWait stored;
        boolean delivers;
        boolean unsubscribes = wait.owner.unsubscribesOnCallback();
        try {
            stored = store.find(wait.id);
            // taking its delivery makes this incarnation the one that unsubscribes it: in the journal from before
            delivers = stored != null && !stored.isPending()
                       && store.claimDelivery(wait.id, incarnation, unsubscribes ? openUnsubscribes(wait) : now());
        } catch (RuntimeException e) {
            // the wait goes on here: the heartbeat's read of what other nodes finished finds it again (back in the map
            // first, so that whoever finishes it next finds it there)
            unsubscribed(wait);
            waits.putIfAbsent(wait.id, wait);
            wait.revert(wait.outcome());
            LOG.warn("logicwebhook:{}: a wait finished elsewhere could not be read from the wait store (tried again at"
                     + " the next heartbeat): {}", wait.owner.name(), e.getMessage());
            if (context.isStopping() || !isRunAllowed() || waitsStopped) {
                // the stop's hand-over (or cancel) may have run already
                cancel(wait.owner, "the Camel context is stopping");
            }
            return;
        }
        WaitOutcome outcome = delivers ? WaitOutcome.valueOf(stored.state()) : null;
        if (outcome == WaitOutcome.COMPLETED || outcome == WaitOutcome.FAILED) {
            wait.statistics().waitEnded(outcome, now() - wait.startedAt);
            wait.owner.resumeFromStore(wait, stored);
        } else {
            // ended elsewhere as timed out or cancelled (and unsubscribed there), or taken over by another node
            unsubscribed(wait);
            wait.statistics().waitEnded(WaitOutcome.CANCELLED, now() - wait.startedAt);
            wait.owner.onCancel(wait, delivers ? "the wait ended elsewhere: " + stored.state()
                    : "another node took the wait over (it took this one for gone)");
        }
    }

    /**
     * Takes back a wait whose subscribe failed: no trace in memory; a durable store marks it cancelled.
     *
     * @return true when the caller still owned it
     */
    public boolean abandon(PendingWait wait) {
        if (!wait.tryFinish(WaitOutcome.CANCELLED)) {
            return false;
        }
        waits.remove(wait.id, wait);
        wait.statistics().waitAbandoned();
        if (durable) {
            try {
                store.finish(wait.id, WaitOutcome.CANCELLED.name(), null, true, now());
            } catch (RuntimeException e) {
                cancelAgain.add(wait.id);
                LOG.debug("A wait whose subscribe failed is cancelled in the wait store at the next heartbeat: {}",
                        e.getMessage());
            }
        }
        return true;
    }

    /**
     * A heartbeat: the wait's deadline moves to now + timeout, never past its hard deadline.
     *
     * @return                            true when the wait is still pending afterwards
     * @throws LogicWebhookStoreException when a durable store could not keep the new deadline
     */
    public boolean extend(PendingWait wait, long timeout) {
        long next = Math.min(saturatedAdd(now(), timeout), wait.hardDeadline);
        if (next > wait.deadline) {
            if (durable) {
                store.extend(wait.id, next);
            }
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

    /**
     * Finishes every expired wait as timed out and hands each to the worker pool, with every task that is due. A
     * durable store is written on the pool, not on the sweeper's thread.
     */
    public void sweep() {
        long now = now();
        for (PendingWait wait : waits.values()) {
            if (wait.deadline <= now && wait.tryFinish(WaitOutcome.TIMED_OUT)) {
                if (durable) {
                    execute(() -> timedOut(wait));
                } else if (commit(wait, WaitOutcome.TIMED_OUT, null)) {
                    execute(() -> wait.owner.onTimeout(wait));
                }
            }
        }
        runDue(now);
        if (orphans != null) {
            orphans.tick(now);
        }
    }

    private void runDue(long now) {
        for (DueTasks.Task task : dueTasks.takeDue(now)) {
            execute(task::run);
        }
    }

    /**
     * Runs what is due at a task's time rather than at the next sweep after it: a delayed entry on the sweeper's queue,
     * not a thread. The delay and what is due are both read on the component's clock, so with a clock that a test moves
     * nothing runs early; and whatever a wake-up misses, the next sweep takes.
     */
    private Future<?> wakeUpAt(long dueAt) {
        ScheduledExecutorService executor = sweeper;
        if (executor == null) {
            return null;
        }
        // a millisecond late: the scheduler's clock is not the wall clock, and the two drift apart by a fraction of one
        long delay = Math.max(0, dueAt - now()) + 1;
        try {
            return executor.schedule(() -> runDue(now()), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Camel bounds the sweeper's queue: past that, tasks wait for the sweep as they did before wake-ups
            return null;
        }
    }

    private void timedOut(PendingWait wait) {
        boolean ours;
        try {
            StoredWait stored = store.find(wait.id);
            if (stored != null && stored.isPending() && stored.deadline() > now()) {
                // a heartbeat that reached another node moved the deadline: the wait goes on
                wait.deadline = stored.deadline();
                wait.revert(WaitOutcome.TIMED_OUT);
                return;
            }
            ours = commit(wait, WaitOutcome.TIMED_OUT, null);
        } catch (RuntimeException e) {
            // pending again: the next sweep tries once more
            wait.revert(WaitOutcome.TIMED_OUT);
            if (timeoutsFailing.compareAndSet(false, true)) {
                LOG.warn("logicwebhook:{} could not time a wait out in the wait store (waits past their deadline are tried"
                         + " again at every sweep until it answers; logged once): {}", wait.owner.name(), e.getMessage());
            }
            return;
        }
        if (timeoutsFailing.get()) {
            timeoutsFailing.set(false);
        }
        if (ours) {
            wait.owner.onTimeout(wait);
        }
    }

    /**
     * The route or the context stops: with a durable store, hands the waits of an owner (of all owners when
     * {@code null}) that has a {@code resumeUri} over to it (their subscriptions stay, and their callbacks are resumed
     * in the {@code resumeUri} by whoever adopts them); fails the others on the worker pool, then unsubscribes them, so
     * that the stop does not wait for callbacks that may never come (nothing could resume those after the stop: kept,
     * their subscriptions would stay until a start of their action, and for good if it never comes back).
     */
    public void cancel(WaitOwner owner, String reason) {
        if (durable) {
            handOver(owner, reason);
        }
        List<PendingWait> cancelled = new ArrayList<>();
        for (PendingWait wait : waits.values()) {
            if ((owner == null || wait.owner == owner) && !handsOver(wait) && cancelAtStop(wait)) {
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
            execute(() -> unsubscribe(wait));
        }
    }

    /**
     * Cancels a wait at a stop, in the store too; when the store cannot be reached, here all the same (the stop waits for
     * no store), and in the store at the next heartbeat or at the store's stop.
     */
    private boolean cancelAtStop(PendingWait wait) {
        try {
            return finish(wait, WaitOutcome.CANCELLED, null);
        } catch (RuntimeException e) {
            // finish put it back to pending (and closed its journal entry)
            if (!wait.tryFinish(WaitOutcome.CANCELLED)) {
                return false;
            }
            // in the journal until its unsubscribe is over: one that the stop cuts short is sent again by whoever
            // takes over, once the cancel is written (at a later time than this entry's)
            if (durable) {
                openUnsubscribes(wait);
            }
            waits.remove(wait.id, wait);
            wait.statistics().waitEnded(WaitOutcome.CANCELLED, now() - wait.startedAt);
            cancelAgain.add(wait.id);
            LOG.debug("A wait cancelled at a stop is cancelled in the wait store once it answers: {}", e.getMessage());
            return true;
        }
    }

    /**
     * The application stops (Spring Boot's graceful shutdown, before the Camel context stops): the waits end now, and
     * until the stop this node adopts no orphan, not even those it just handed over; their callbacks are answered 503.
     */
    public void stopWaiting(String reason) {
        waitsStopped = true;
        cancel(null, reason);
    }

    /** Whether {@link #stopWaiting} was called. */
    boolean waitsStopped() {
        return waitsStopped;
    }

    /** Whether a stop hands the wait over to the store (its action resumes orphans), rather than cancelling it. */
    private boolean handsOver(PendingWait wait) {
        return durable && wait.owner.resumesOrphans();
    }

    private void handOver(WaitOwner owner, String reason) {
        List<PendingWait> handedOver = new ArrayList<>();
        for (PendingWait wait : waits.values()) {
            if ((owner == null || wait.owner == owner) && handsOver(wait) && wait.tryFinish(WaitOutcome.HANDED_OVER)) {
                handedOver.add(wait);
            }
        }
        if (handedOver.isEmpty()) {
            return;
        }
        try {
            store.handOver(incarnation, handedOver.stream().map(wait -> wait.id).toList());
            LOG.info("{} pending logicwebhook wait(s) handed over to the wait store ({}): their subscriptions stay, and"
                     + " their callbacks will be resumed in their resumeUri", handedOver.size(), reason);
        } catch (RuntimeException e) {
            handedOver.forEach(wait -> handOverAgain.add(wait.id));
            LOG.warn("{} pending logicwebhook wait(s) could not be handed over to the wait store ({}); they are handed"
                     + " over at the next heartbeat that gets through, or adopted once this node is seen as gone: {}",
                    handedOver.size(), reason, e.getMessage());
        }
        for (PendingWait wait : handedOver) {
            waits.remove(wait.id, wait);
            wait.statistics().waitEnded(WaitOutcome.HANDED_OVER, now() - wait.startedAt);
            execute(() -> wait.owner.onHandedOver(wait));
        }
    }

    public int size() {
        return waits.size();
    }

    CamelContext context() {
        return context;
    }

    /**
     * A trigger's lead in a shared store: this incarnation's epoch, and the subscription a previous leader left.
     *
     * @throws LogicWebhookStoreException when the store cannot be reached: the trigger must not subscribe blindly
     */
    public TriggerLease leadTrigger(String name) {
        return store.leadTrigger(name, incarnation);
    }

    /** @return false when a newer leader took the trigger meanwhile (then the caller unsubscribes what it got) */
    public boolean triggerSubscribed(String name, TriggerLease lease, OutboundRequest unsubscribe) {
        return lease.epoch() == 0 || store.triggerSubscribed(name, lease.epoch(), StoredRequests.toStored(unsubscribe));
    }

    public void triggerUnsubscribed(String name, TriggerLease lease) {
        if (lease.epoch() != 0) {
            try {
                store.triggerUnsubscribed(name, lease.epoch());
            } catch (RuntimeException e) {
                LOG.debug("The wait store could not note that trigger {} unsubscribed: {}", name, e.getMessage());
            }
        }
    }

    /** The unsubscribe request a previous leader of a trigger left, as it can be sent, or {@code null}. */
    public static OutboundRequest previousSubscription(TriggerLease lease) {
        return StoredRequests.fromStored(lease.previous());
    }

    public WaitStore store() {
        return store;
    }

    public String incarnation() {
        return incarnation;
    }

    /** Orphans of its endpoint name are resumed by a running owner; producers say when they start and stop. */
    public void ownerStarted(WaitOwner owner) {
        if (orphans != null) {
            orphans.ownerStarted(owner);
        }
    }

    public void ownerStopped(WaitOwner owner) {
        if (orphans != null) {
            orphans.ownerStopped(owner);
        }
    }

    /** The orphans' side of a durable store, or {@code null} without one. */
    public Orphans orphans() {
        return orphans;
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
        ServiceHelper.startService(store);
        if (orphans != null) {
            orphans.start(now());
        }
        if (durable && store.notifiesFinished()) {
            listener = context.getExecutorServiceManager().newSingleThreadExecutor(this, "LogicWebhookStoreListener");
            listener.execute(this::listen);
        }
        sweeper = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "LogicWebhookTimeouts");
        sweeper.scheduleWithFixedDelay(this::sweep, sweepInterval, sweepInterval, TimeUnit.MILLISECONDS);
        dueTasks.wakeUpWith(this::wakeUpAt);
    }

    @Override
    protected void doStop() throws Exception {
        if (listener != null) {
            context.getExecutorServiceManager().shutdownNow(listener);
            listener = null;
        }
        context.getExecutorServiceManager().shutdown(sweeper);
        if (orphans != null) {
            orphans.stopHeartbeats();
        }
        abandonScheduled();
        context.getExecutorServiceManager().shutdownGraceful(workers, 10_000);
        if (orphans != null) {
            orphans.stop();
        }
        ServiceHelper.stopService(store);
        sweeper = null;
        workers = null;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}

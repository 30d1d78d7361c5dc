package org.apache.camel.component.logicwebhook.wait;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.component.logicwebhook.observability.StoreStatistics;
import org.apache.camel.component.logicwebhook.observability.WaitOutcome;
import org.apache.camel.component.logicwebhook.store.StoredWait;
import org.apache.camel.component.logicwebhook.store.WaitStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waits of a durable store whose exchange is gone: those of an incarnation that stopped (they were handed over) or
 * crashed (it was not heard of for the node timeout), or of any other incarnation when this JVM is the store's only
 * user. This incarnation says it is alive, adopts them, times them out (then unsubscribes them), and delivers the
 * outcome of each to its endpoint's {@code resumeUri} (at least once: a delivery that failed, or that a crash cut
 * short, is made again). A callback for an orphan is claimed through it as well.
 * <p>
 * The heartbeat is written on a thread of its own, which does nothing else, so that a worker pool that the
 * application's routes keep busy (a route resumed by a callback runs on it), or the store's own work, cannot keep this
 * node from saying it is alive: other nodes would take its waits over. The work on orphans (adoptions, reads, batches,
 * their settles) runs on the worker pool.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class Orphans {

    private static final Logger LOG = LoggerFactory.getLogger(Orphans.class);
    /** How many orphans a batch takes on, at most; a full batch is followed by the next once it is settled. */
    private static final int BATCH = 200;
    private static final long PURGE_INTERVAL = 3_600_000;
    /**
     * How often the waits are counted by state, which reads every row (those kept for finishedWaitsRetention too);
     * the pending ones are counted at every heartbeat, through an index.
     */
    private static final long FULL_COUNT_INTERVAL = 600_000;
    /** The longest an orphan whose delivery keeps failing waits before it is tried again. */
    private static final long MAX_DELIVERY_DELAY = 300_000;
    /**
     * How often this incarnation's unsubscribed-before time is written while waits finish (at most; never more often
     * than the heartbeat): after a crash, the waits finished within about this time are unsubscribed again.
     */
    private static final long JOURNAL_INTERVAL = 1_000;

    private final WaitRegistry registry;
    private final WaitStore store;
    private final Recovery recovery;
    private final StoreStatistics statistics;
    private final Map<String, WaitOwner> owners = new ConcurrentHashMap<>();
    /** Orphans being worked on now, so that the next tick does not take them again. */
    private final Set<String> working = ConcurrentHashMap.newKeySet();
    /**
     * Orphans whose callback asked for them to be settled while they were being worked on: what that work read may be
     * from before the callback's claim, so they are settled again once it ends.
     */
    private final Set<String> settleAgain = ConcurrentHashMap.newKeySet();
    /** Work on orphans under way (a heartbeat's, or a backlog's next batch): one at a time. */
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final Set<String> missingOwners = ConcurrentHashMap.newKeySet();
    /** The heartbeat's thread. */
    private volatile ExecutorService heartbeats;
    /** A heartbeat is queued or under way on its thread. */
    private final AtomicBoolean heartbeating = new AtomicBoolean();
    /** A write of the unsubscribed-before time is queued or under way on the heartbeat's thread. */
    private final AtomicBoolean journaling = new AtomicBoolean();
    private volatile long nextJournal;
    /** A heartbeat's work on orphans found a batch being taken on: it is done at the next sweep. */
    private volatile boolean orphanWorkDue;
    /** When this incarnation last wrote its heartbeat. */
    private volatile long lastHeartbeat;
    /** The last heartbeat failed (on the heartbeat's thread only). */
    private boolean heartbeatFailed;
    private volatile long nextHeartbeat;
    /**
     * Until then, owners that did not stop are not taken for gone because of their heartbeat: the store came back
     * after an outage, during which no node could write its heartbeat, and the others have not written theirs yet.
     */
    private volatile long heartbeatsTrustedFrom;
    private volatile long nextPurge;
    private volatile long nextFullCount;
    /** When the endpoints of the orphans that could be adopted are next read, to name those no action here runs. */
    private volatile long nextOrphanedCheck;
    private volatile Map<String, Long> lastCount = Map.of();
    /**
     * The last batch was full and made progress (it adopted or claimed orphans): the next one is taken on as soon as
     * fewer than a batch are left to settle, not at the heartbeat.
     */
    private volatile boolean backlog;
    /** A heartbeat found orphans to adopt: they are adopted a batch at a time, by the batches that take them on. */
    private volatile boolean adopting;
    /** How many the current run of adoptions adopted so far (guarded by {@link #ticking}). */
    private int adoptedSoFar;
    /** Orphans taken on by batches and not settled yet. */
    private final AtomicInteger unsettled = new AtomicInteger();
    /**
     * Orphans whose unsubscribe this incarnation sent and whose delivery has not gone through yet, with that unsubscribe:
     * a delivery tried again does not unsubscribe again (the next incarnation does, so a crash between the two still
     * leaks nothing), and is marked delivered once that unsubscribe is over. One settle of an orphan at a time (the
     * working guard).
     */
    private final Map<String, CompletableFuture<Boolean>> unsubscribedHere = new ConcurrentHashMap<>();
    /**
     * How many times in a row the delivery of an orphan failed in this run: it is put off twice as long each time.
     */
    private final Map<String, Integer> failedDeliveries = new ConcurrentHashMap<>();
    /** Endpoints whose resumeUri failed and has not taken an orphan since: their failures are logged at DEBUG. */
    private final Set<String> failingResumes = ConcurrentHashMap.newKeySet();
    /** Orphans delivered whose delivered mark is not written yet; they are not delivered again meanwhile. */
    private final Set<String> unmarked = ConcurrentHashMap.newKeySet();
    /** Of those, the ones whose unsubscribe is being retried: marked once it is over. */
    private final Set<String> unsubscribing = ConcurrentHashMap.newKeySet();
    /** Unsubscribes taken over from a gone node whose action stopped meanwhile: sent when an action starts. */
    private final Queue<Runnable> waitingForOwner = new ConcurrentLinkedQueue<>();

    Orphans(WaitRegistry registry, WaitStore store, Recovery recovery, StoreStatistics statistics) {
        this.registry = registry;
        this.store = store;
        this.recovery = recovery;
        this.statistics = statistics;
        statistics.durable();
    }

    /** This incarnation's first heartbeat: a store that cannot be reached fails the component's start. */
    void start(long now) {
        store.heartbeat(registry.incarnation(), now);
        count(now);
        lastHeartbeat = now;
        // the first tick once the routes run adopts what a previous incarnation left
        nextHeartbeat = now;
        heartbeats = registry.context().getExecutorServiceManager().newSingleThreadExecutor(registry,
                "LogicWebhookHeartbeat");
    }

    /** No tick from now on; the one under way ends first (its orphans are settled on the worker pool). */
    void stopHeartbeats() {
        ExecutorService executor = heartbeats;
        if (executor != null) {
            registry.context().getExecutorServiceManager().shutdownGraceful(executor, 10_000);
            heartbeats = null;
        }
    }

    /** Says that this incarnation stopped, so that its waits can be adopted at once (by its next start, say). */
    void stop() {
        failedDeliveries.clear();
        registry.writeAgain();
        try {
            // unsubscribes that the stop cut short are sent again by whoever takes over
            store.unsubscribedBefore(registry.incarnation(), registry.unsubscribeJournal().markOfOpen());
        } catch (RuntimeException e) {
            LOG.warn("The wait store could not be told which unsubscribes this node sent; whoever takes over sends those"
                     + " of the last second again: {}", e.getMessage());
        }
        try {
            flushDelivered();
        } catch (RuntimeException e) {
            LOG.warn("The wait store could not mark {} orphaned wait(s) delivered; they are delivered again by the next"
                     + " start: {}", unmarked.size(), e.getMessage());
        }
        try {
            store.stopped(registry.incarnation());
        } catch (RuntimeException e) {
            LOG.warn("The wait store could not be told that this node stopped; its waits are adopted once it is seen as"
                     + " gone: {}", e.getMessage());
        }
    }

    void ownerStarted(WaitOwner owner) {
        owners.putIfAbsent(owner.name(), owner);
        missingOwners.remove(owner.name());
        // unsubscribes taken over from a gone node while this action was stopped (those of another wait again)
        List<Runnable> sends = new ArrayList<>();
        for (Runnable send = waitingForOwner.poll(); send != null; send = waitingForOwner.poll()) {
            sends.add(send);
        }
        sends.forEach(registry::execute);
    }

    void ownerStopped(WaitOwner owner) {
        owners.remove(owner.name(), owner);
    }

    /** The running action that resumes the orphans of an endpoint name, or {@code null}. */
    public WaitOwner owner(String endpoint) {
        return owners.get(endpoint);
    }

    /**
     * Called on every sweep: the heartbeat when it is due (on its own thread), else the heartbeat's work on orphans if a
     * batch kept it waiting, else a backlog's next batch when it is due (on the worker pool, behind the last batch's
     * settles: see takeOnOrphans).
     */
    void tick(long now) {
        // orphans are resumed by running actions: none runs before the context has started. After stopWaiting the
        // heartbeat goes on until the context stops (a graceful shutdown may outlast the node timeout: the other nodes
        // would take this one for gone), only the work on orphans does not
        if (!registry.context().isStarted() || contextStopping()) {
            return;
        }
        ExecutorService executor = heartbeats;
        if (now >= nextJournal && executor != null && journaling.compareAndSet(false, true)) {
            nextJournal = now + Math.min(JOURNAL_INTERVAL, recovery.heartbeatInterval());
            try {
                executor.execute(this::writeJournal);
            } catch (RejectedExecutionException stopped) {
                journaling.set(false);
            }
        }
        if (now >= nextHeartbeat && executor != null && heartbeating.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    try {
                        heartbeat();
                    } finally {
                        heartbeating.set(false);
                    }
                });
            } catch (RejectedExecutionException stopped) {
                heartbeating.set(false);
            }
        } else if (orphanWorkDue) {
            startOrphanWork();
        } else {
            continueBacklog();
        }
    }

    /**
     * Every heartbeat interval, on its own thread: says that this incarnation is alive, and nothing else, so that no
     * other work (a purge, a count, a batch of orphans) can make it late; its work on orphans goes to the worker pool.
     */
    private void heartbeat() {
        long now = registry.now();
        try {
            store.heartbeat(registry.incarnation(), now);
        } catch (RuntimeException e) {
            heartbeatFailed = true;
            storeFailed(e, now);
            return;
        }
        nextHeartbeat = now + recovery.heartbeatInterval();
        // this node could not say it is alive for so long (the store was down, or did not answer) that the others may
        // not have either: they are given a node timeout to do so before their waits are taken for orphans
        if (now - lastHeartbeat >= Math.max(2 * recovery.heartbeatInterval(),
                recovery.nodeTimeout() - 2 * recovery.heartbeatInterval())) {
            heartbeatsTrustedFrom = now + recovery.nodeTimeout();
            LOG.info("This node's last heartbeat was {} s ago; waits of other nodes not heard of are adopted from {} s on,"
                     + " once every node has had the time to say it is alive", (now - lastHeartbeat) / 1000,
                    recovery.nodeTimeout() / 1000);
        }
        lastHeartbeat = now;
        if (heartbeatFailed) {
            heartbeatFailed = false;
            // up again for the health check now, not once the worker pool has counted the waits
            statistics.answered(lastCount, now);
            LOG.info("The logicwebhook wait store answers again");
        }
        orphanWorkDue = true;
        startOrphanWork();
    }

    /** Writes the unsubscribed-before time, on the heartbeat's thread, when it changed. */
    private void writeJournal() {
        try {
            Long mark = registry.unsubscribeJournal().mark(registry.now());
            if (mark != null) {
                store.unsubscribedBefore(registry.incarnation(), mark);
            }
        } catch (RuntimeException e) {
            // written again at the next interval; the store's outage is the heartbeat's to report
            registry.unsubscribeJournal().unwritten();
            LOG.debug("The wait store could not be told which unsubscribes this node sent: {}", e.getMessage());
        } finally {
            journaling.set(false);
        }
    }

    /** The heartbeat's work on orphans, on the worker pool, unless a batch is being taken on (then at the next sweep). */
    private void startOrphanWork() {
        if (!stopping() && ticking.compareAndSet(false, true)) {
            orphanWorkDue = false;
            registry.execute(() -> {
                long now = registry.now();
                try {
                    orphanWork(now);
                } catch (RuntimeException e) {
                    storeFailed(e, now);
                } finally {
                    ticking.set(false);
                }
                // a batch settled while this work held the guard: the backlog goes on from here
                continueBacklog();
            });
        }
    }

    private void storeFailed(RuntimeException e, long now) {
        // a backlog goes on from the next heartbeat, not from every sweep meanwhile
        backlog = false;
        if (statistics.isUp()) {
            LOG.warn("The logicwebhook wait store cannot be reached (tried again every heartbeat): {}", e.getMessage());
        }
        statistics.failed(e.getMessage(), now);
    }

    /**
     * A heartbeat's work on orphans (with {@link #ticking} held): the counts, the callbacks another node took for waits
     * of this one, then adopt orphans and take on those that need work. A backlog (the thousands a crash leaves) is not
     * taken on one batch per heartbeat: the next batch is taken on while the last one is being settled.
     */
    private void orphanWork(long now) {
        registry.writeAgain();
        count(now);
        // callbacks that reached another node for waits whose exchange waits here (LISTEN/NOTIFY may have missed them)
        for (StoredWait wait : store.finishedElsewhere(registry.incarnation(), BATCH)) {
            registry.resumeFinishedElsewhere(wait.id());
        }
        adopting = true;
        takeOnOrphans(now, true);
        unsubscribeAgain(now);
        // it reads every orphan: not while a backlog of them is being taken on
        if (!backlog && now >= nextOrphanedCheck) {
            nextOrphanedCheck = now + FULL_COUNT_INTERVAL;
            store.orphanedEndpoints(registry.incarnation(), staleBefore(now)).forEach(this::ownerOrWarn);
        }
        if (now >= nextPurge) {
            nextPurge = now + PURGE_INTERVAL;
            int purged = store.purge(now - recovery.finishedRetention());
            LOG.debug("Purged {} finished logicwebhook wait(s) from the wait store", purged);
        }
    }

    /**
     * Sends again the unsubscribes that incarnations that are gone may not have sent (they crashed while those were under
     * way): of the waits they finished since their unsubscribed-before time, those that unsubscribe once finished, which
     * this incarnation takes over first. A 404 or 410 then means it was sent before. At most a batch per heartbeat.
     */
    private void unsubscribeAgain(long now) {
        Set<String> running = Set.copyOf(owners.keySet());
        if (running.isEmpty()) {
            return;
        }
        Object entry = new Object();
        List<StoredWait> taken;
        try {
            taken = store.takeUnsubscribes(registry.incarnation(), staleBefore(now), running,
                    registry.openUnsubscribes(entry), BATCH);
        } catch (RuntimeException e) {
            registry.unsubscribeJournal().discard(entry);
            throw e;
        }
        if (taken.isEmpty()) {
            // most heartbeats: nothing for the journal to write
            registry.unsubscribeJournal().discard(entry);
            return;
        }
        // the entry is closed once every unsubscribe is over: the store gave all of them its time
        AtomicInteger left = new AtomicInteger(taken.size());
        Runnable over = () -> {
            if (left.decrementAndGet() == 0) {
                registry.unsubscribed(entry);
            }
        };
        LOG.info("Unsubscribing again {} finished wait(s) of a node that is gone: it may have crashed before their"
                 + " unsubscribes were sent", taken.size());
        for (StoredWait wait : taken) {
            registry.execute(() -> unsubscribeAgain(wait, over));
        }
    }

    /**
     * Sends one of those again, if it unsubscribes once finished; one whose action stopped since is kept for when it
     * runs again (its journal entry stays open meanwhile, and a stop writes its time, so that whoever takes over next
     * sends it).
     */
    private void unsubscribeAgain(StoredWait wait, Runnable over) {
        WaitOwner owner = owners.get(wait.endpoint());
        if (owner == null) {
            waitingForOwner.add(() -> unsubscribeAgain(wait, over));
        } else if (!WaitOutcome.COMPLETED.name().equals(wait.state()) && !WaitOutcome.FAILED.name().equals(wait.state())
                   || owner.unsubscribesOnCallback()) {
            registry.unsubscribing(owner.name(),
                    () -> owner.unsubscribeOrphan(wait.id(), StoredRequests.fromStored(wait.unsubscribe()), true), over);
        } else {
            over.run();
        }
    }

    /** The waits by state for the statistics: all of them now and then, the pending ones every time. */
    private void count(long now) {
        Map<String, Long> counts;
        if (now >= nextFullCount) {
            counts = store.countByState();
            nextFullCount = now + FULL_COUNT_INTERVAL;
        } else {
            counts = new HashMap<>(lastCount);
            counts.put(WaitStore.PENDING, store.countPending());
        }
        lastCount = counts;
        statistics.answered(counts, now);
    }

    /**
     * Takes on a batch of orphans (with {@link #ticking} held): adopts the next of those a heartbeat found, timing out
     * those past their deadline in the same write (as the live action does on a timeout: claimed, then unsubscribed),
     * and times out this incarnation's own orphans past their deadline together, in one write; then each is settled on
     * the worker pool (unsubscribed and delivered). The delivered marks of a batch are written together once it is
     * settled. The next batch is taken on once fewer than a batch are left to settle; queued behind them on the pool,
     * its database work runs as the pool sends the last of them (run beside them it was no faster: a recovery is short
     * of CPU, not of threads).
     *
     * @param all all that needs work (at the heartbeat: finished orphans not delivered yet too), or only the pending
     *            ones past their deadline (a backlog: those left finished are the batches' own, being settled)
     */
    private void takeOnOrphans(long now, boolean all) {
        List<StoredWait> taken = new ArrayList<>();
        // those this batch finished itself, as its writes left them: settled without reading them again
        Map<String, StoredWait> claimed = new HashMap<>();
        // only the orphans of the actions that run here: another node, or another application on the store, resumes
        // the others
        Set<String> running = Set.copyOf(owners.keySet());
        int adopted = adopting ? adoptBatch(now, running, taken, claimed) : 0;
        boolean full;
        try {
            if (all) {
                // so that the delivered ones are not read as work again
                flushDelivered();
            }
            List<StoredWait> work = new ArrayList<>(store.expiredOrphans(registry.incarnation(), running, now, BATCH));
            full = work.size() == BATCH;
            if (all) {
                // read apart from those past their deadline: finished orphans whose delivery is due (again, after their
                // resumeUri failed) would fill a read of all the work and keep those from timing out
                List<StoredWait> allWork = store.orphanWork(registry.incarnation(), running, now, BATCH);
                full |= allWork.size() == BATCH;
                work.addAll(allWork);
            }
            Map<String, StoredWait> expired = new HashMap<>();
            for (StoredWait wait : work) {
                if (working.add(wait.id())) {
                    taken.add(wait);
                    if (isExpired(wait, now)) {
                        expired.put(wait.id(), wait);
                    }
                }
            }
            for (String id : store.finishOrphans(expired.keySet(), WaitOutcome.TIMED_OUT.name(), now)) {
                claimed.put(id, expired.get(id).finished(WaitOutcome.TIMED_OUT.name()));
            }
        } catch (RuntimeException e) {
            // those adopted (and those the adoption finished) are orphans of this incarnation: the heartbeat takes them
            // on again once they are let go
            taken.forEach(wait -> release(wait.endpoint(), wait.id()));
            throw e;
        }
        // orphans that cannot be settled yet (their action stopped meanwhile, a resumeUri that fails) are tried again
        // at the heartbeat, not batch after batch
        boolean more = (full || adopting) && (adopted > 0 || !claimed.isEmpty());
        // the heartbeat's read may be full of the backlog's own orphans being settled: it does not end a backlog (the
        // backlog's next batch does, when it finds no more)
        backlog = all ? backlog || more : more;
        AtomicInteger left = new AtomicInteger(taken.size());
        unsettled.addAndGet(taken.size());
        for (StoredWait wait : taken) {
            StoredWait finished = claimed.get(wait.id());
            registry.execute(() -> {
                try {
                    // what the batch read before the guard was taken is read again (a callback may have claimed and
                    // delivered it meanwhile), unless the batch's own claim says what it is
                    settle(wait.endpoint(), finished != null ? finished : current(wait.id()), true);
                } catch (RuntimeException e) {
                    LOG.warn("logicwebhook:{} could not settle an orphaned wait (tried again shortly): {}",
                            wait.endpoint(), e.getMessage());
                } finally {
                    release(wait.endpoint(), wait.id());
                    if (left.decrementAndGet() == 0) {
                        batchSettled();
                    }
                    if (unsettled.decrementAndGet() < BATCH) {
                        continueBacklog();
                    }
                }
            });
        }
    }

    /**
     * Adopts the next orphans a heartbeat found; those past their deadline are timed out by the same write. Each is
     * guarded before it is written, so that a callback that comes meanwhile has it settled again once the batch lets go.
     *
     * @param  running the endpoints of the actions that run here
     * @param  taken   gets those adopted that need work now (timed out, or finished and not delivered)
     * @param  claimed gets those timed out, as the write left them
     * @return         how many were adopted
     */
    private int adoptBatch(long now, Set<String> running, List<StoredWait> taken, Map<String, StoredWait> claimed) {
        String incarnation = registry.incarnation();
        List<StoredWait> found = store.adoptable(incarnation, staleBefore(now), running, BATCH);
        List<StoredWait> guarded = new ArrayList<>();
        Set<String> expired = new HashSet<>();
        for (StoredWait wait : found) {
            if (working.add(wait.id())) {
                guarded.add(wait);
                if (isExpired(wait, now)) {
                    expired.add(wait.id());
                }
            }
        }
        Set<String> adopted;
        try {
            adopted = store.adopt(incarnation, staleBefore(now), guarded.stream().map(StoredWait::id).toList(), expired,
                    WaitOutcome.TIMED_OUT.name(), now);
        } catch (RuntimeException e) {
            guarded.forEach(wait -> release(wait.endpoint(), wait.id()));
            throw e;
        }
        for (StoredWait wait : guarded) {
            if (adopted.contains(wait.id()) && (expired.contains(wait.id()) || !wait.isPending())) {
                taken.add(wait);
                if (expired.contains(wait.id())) {
                    claimed.put(wait.id(), wait.adoptedBy(incarnation).finished(WaitOutcome.TIMED_OUT.name()));
                }
            } else {
                // adopted by another node meanwhile, or pending until its callback or deadline comes
                release(wait.endpoint(), wait.id());
            }
        }
        adopting = found.size() == BATCH;
        adoptedSoFar += adopted.size();
        if (!adopting && adoptedSoFar > 0) {
            LOG.info("Adopted {} orphaned logicwebhook wait(s) from the wait store: their callbacks go to their resumeUri",
                    adoptedSoFar);
            adoptedSoFar = 0;
        }
        return adopted.size();
    }

    /** A pending orphan past its deadline, with a running action of its name to time it out. */
    private boolean isExpired(StoredWait wait, long now) {
        return wait.isPending() && wait.deadline() <= now && ownerOrWarn(wait.endpoint()) != null;
    }

    /** The last orphan of a batch is settled: the delivered marks are written. */
    private void batchSettled() {
        try {
            flushDelivered();
        } catch (RuntimeException e) {
            LOG.warn("The logicwebhook wait store could not mark orphaned waits delivered (tried again shortly): {}",
                    e.getMessage());
        }
    }

    /**
     * Takes on the next batch of a backlog on the worker pool (behind the last batch's settles), unless one is being
     * taken on already.
     */
    private void continueBacklog() {
        if (backlog && unsettled.get() < BATCH && !stopping() && ticking.compareAndSet(false, true)) {
            registry.execute(() -> {
                try {
                    if (backlog && unsettled.get() < BATCH) {
                        takeOnOrphans(registry.now(), false);
                    }
                } catch (RuntimeException e) {
                    // not batch after failed batch, on a pool thread, against a database that is gone
                    backlog = false;
                    LOG.warn("The logicwebhook wait store cannot be reached (tried again every heartbeat): {}",
                            e.getMessage());
                } finally {
                    ticking.set(false);
                }
                // a batch settled while this one was taken on found the guard held: it is not missed
                continueBacklog();
            });
        }
    }

    /**
     * Writes the delivered marks of the orphans delivered so far, together: those of batches, and those whose mark could
     * not be written alone; not those whose unsubscribe is being retried.
     */
    private void flushDelivered() {
        List<String> ids = new ArrayList<>(unmarked);
        ids.removeAll(unsubscribing);
        if (!ids.isEmpty()) {
            store.deliveredAll(ids);
            // those delivered meanwhile stay for the next time
            ids.forEach(unmarked::remove);
        }
    }

    /**
     * Settles an orphan on the worker pool, unless it is being settled already: one procedure for an orphan past its
     * deadline and for one that a callback finished, so that whichever of the sweep and the callback comes first does
     * it, once.
     */
    public void settleLater(String endpoint, String id) {
        // asked first, then tried: work that ends meanwhile either finds the request or leaves the guard free
        settleAgain.add(id);
        if (!working.add(id)) {
            return;
        }
        settleAgain.remove(id);
        registry.execute(() -> {
            try {
                settle(endpoint, current(id), false);
            } catch (RuntimeException e) {
                LOG.warn("logicwebhook:{} could not settle an orphaned wait (tried again shortly): {}", endpoint,
                        e.getMessage());
            } finally {
                release(endpoint, id);
            }
        });
    }

    /**
     * The orphan as the store has it now, or {@code null} while its delivered mark is being written: a flush writes the
     * marks and then forgets them, so read in the other order one of the two says it was delivered (read the store
     * first, and a flush could write and forget the mark in between: it would be delivered twice).
     */
    private StoredWait current(String id) {
        return unmarked.contains(id) ? null : store.find(id);
    }

    /** The work on an orphan ended: a callback that came meanwhile has it settled now, with what the store says now. */
    private void release(String endpoint, String id) {
        working.remove(id);
        if (settleAgain.remove(id)) {
            settleLater(endpoint, id);
        }
    }

    /**
     * Unsubscribes a finished orphan (one that timed out always, as its claim comes first; one that a callback finished
     * when its endpoint unsubscribes on callback), then delivers its outcome to the resumeUri and marks it delivered. A
     * delivery that fails is made again by this incarnation (without unsubscribing again) after a delay that doubles
     * with each failure, one that a crash cut short by the next incarnation (unsubscribing again): at least once.
     *
     * @param wait    as read under the working guard (or as its batch's claim left it)
     * @param inBatch its delivered mark is written with its batch's
     */
    private void settle(String endpoint, StoredWait wait, boolean inBatch) {
        WaitOwner owner = ownerOrWarn(endpoint);
        // one still pending is not past its deadline (a heartbeat moved it), or no action of its name ran for its batch
        if (owner == null || wait == null || wait.isPending() || wait.delivered() || unmarked.contains(wait.id())
            || !registry.incarnation().equals(wait.owner())) {
            if (wait != null && !wait.isPending()) {
                failedDeliveries.remove(wait.id());
            }
            return;
        }
        String id = wait.id();
        CompletableFuture<Boolean> unsubscribed = CompletableFuture.completedFuture(true);
        if (WaitOutcome.TIMED_OUT.name().equals(wait.state()) || owner.unsubscribesOnCallback()) {
            // a delivery tried again waits for the first try's unsubscribe, which may still be retried (not sent inside
            // computeIfAbsent: its first attempt is an HTTP request, and the map's lock would hold other orphans' settles)
            CompletableFuture<Boolean> first = unsubscribedHere.get(id);
            if (first == null) {
                first = unsubscribe(owner, wait);
                unsubscribedHere.put(id, first);
            }
            unsubscribed = first;
        }
        if (deliver(owner, wait)) {
            unsubscribedHere.remove(id);
            markDelivered(id, inBatch, unsubscribed);
        }
    }

    /**
     * Marks a delivered orphan delivered (with its batch's marks, or now), once its unsubscribe is over: while it is
     * retried the orphan stays to deliver in the store, so that a crash meanwhile has the next incarnation unsubscribe it
     * again (and deliver it again: at least once). Meanwhile it is not delivered again here.
     */
    private void markDelivered(String id, boolean inBatch, CompletableFuture<Boolean> unsubscribed) {
        if (inBatch && Boolean.TRUE.equals(unsubscribed.getNow(false))) {
            // the common case: written with its batch's marks
            unmarked.add(id);
            return;
        }
        // in this order: a flush of the marks meanwhile leaves it out
        unsubscribing.add(id);
        unmarked.add(id);
        if (!unsubscribed.isDone()) {
            try {
                // not read as work while it is retried (a service that is down would have them fill the reads)
                store.deliverLater(id, registry.incarnation(), lastHeartbeat + MAX_DELIVERY_DELAY);
            } catch (RuntimeException e) {
                LOG.debug("The wait store could not put off an orphan being unsubscribed: {}", e.getMessage());
            }
        }
        unsubscribed.thenAccept(over -> {
            // one that the stop cut short stays to deliver: the next incarnation unsubscribes and delivers it again
            if (over) {
                unsubscribing.remove(id);
                if (!inBatch) {
                    try {
                        store.delivered(id);
                        unmarked.remove(id);
                    } catch (RuntimeException e) {
                        LOG.debug("An orphan's delivered mark is written with the next batch's: {}", e.getMessage());
                    }
                }
            }
        });
    }

    private WaitOwner ownerOrWarn(String endpoint) {
        WaitOwner owner = owners.get(endpoint);
        if (owner == null && missingOwners.add(endpoint)) {
            LOG.warn("The wait store holds orphaned waits of logicwebhook:{}, but no action of that name runs here to"
                     + " resume them; they wait until one starts (here, or on another node on the store)", endpoint);
        }
        return owner;
    }

    /**
     * Adopts the stored wait a callback came for, when its owner is gone.
     *
     * @return the wait as this incarnation's orphan, or {@code null} when a live incarnation owns it
     */
    public StoredWait adoptForCallback(StoredWait wait, long now) {
        if (stopping()) {
            // what this incarnation handed over is for the next one, or another node
            return null;
        }
        if (registry.incarnation().equals(wait.owner()) && wait.adopted()) {
            return wait;
        }
        store.adoptOne(registry.incarnation(), staleBefore(now), wait.id());
        // adopted now, or just before by a duplicate of the same callback; otherwise a live incarnation owns it
        StoredWait adopted = store.find(wait.id());
        return adopted != null && registry.incarnation().equals(adopted.owner()) && adopted.adopted() ? adopted : null;
    }

    /**
     * Claims an orphan for its callback: one conditional update, committed before the sender is answered.
     *
     * @return true when this claim counted
     */
    public boolean claim(StoredWait wait, WaitOutcome outcome, String result, boolean delivered, long now) {
        return store.finish(wait.id(), outcome.name(), result, delivered, now);
    }

    /**
     * Claims an orphan that has nowhere to be delivered (its action has no resumeUri) as delivered, then unsubscribes
     * it; it is in the unsubscribe journal from before the claim until its unsubscribe is over.
     *
     * @return true when this claim counted
     */
    public boolean claimAndUnsubscribe(WaitOwner owner, StoredWait wait, WaitOutcome outcome) {
        Object entry = new Object();
        boolean claimed = false;
        try {
            claimed = store.finish(wait.id(), outcome.name(), null, true, registry.openUnsubscribes(entry));
        } finally {
            if (!claimed) {
                registry.unsubscribed(entry);
            }
        }
        if (!claimed) {
            return false;
        }
        registry.unsubscribing(owner.name(), () -> unsubscribe(owner, wait), () -> registry.unsubscribed(entry));
        return true;
    }

    /**
     * Sends an orphan's unsubscribe request, or says why it cannot.
     *
     * @return completes when it is over, as {@link WaitOwner#unsubscribe}
     */
    public CompletableFuture<Boolean> unsubscribe(WaitOwner owner, StoredWait wait) {
        if (wait.unsubscribe() != null) {
            // a node that crashed may have sent it already: a 404 or 410 then says it is gone
            return owner.unsubscribeOrphan(wait.id(), StoredRequests.fromStored(wait.unsubscribe()), true);
        } else if (!wait.subscribed()) {
            LOG.warn("logicwebhook:{} cannot unsubscribe an orphaned wait whose subscribe answer never arrived (tracking"
                     + " id {}); its subscription may still exist at the service", owner.name(), wait.id());
        }
        return CompletableFuture.completedFuture(true);
    }

    /** @return whether the outcome went through (then it is to be marked delivered) */
    private boolean deliver(WaitOwner owner, StoredWait wait) {
        if (owner.resumesOrphans()) {
            try {
                owner.resumeOrphan(wait);
            } catch (Exception e) {
                deliveryFailed(owner, wait.id(), e);
                return false;
            }
            failedDeliveries.remove(wait.id());
            if (failingResumes.remove(owner.name())) {
                LOG.info("logicwebhook:{}: the resumeUri takes orphaned waits again", owner.name());
            }
        }
        return true;
    }

    /**
     * Puts off the next delivery of an orphan whose resumeUri failed: after a heartbeat interval, then twice as long
     * with each failure in a row, up to {@link #MAX_DELIVERY_DELAY}. Written to the store, so that orphans that keep
     * failing are not read as work meanwhile (they would fill the heartbeat's reads and keep others waiting). The first
     * failure of an endpoint's resumeUri is logged at WARN, the next ones at DEBUG until one of its deliveries goes
     * through.
     */
    private void deliveryFailed(WaitOwner owner, String id, Exception failure) {
        int failures = failedDeliveries.merge(id, 1, Integer::sum);
        long delay = recovery.heartbeatInterval();
        for (int i = 1; i < failures && delay < MAX_DELIVERY_DELAY; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, MAX_DELIVERY_DELAY);
        if (failingResumes.add(owner.name())) {
            LOG.warn("logicwebhook:{}: the resumeUri failed for an orphaned wait (wait id header {}). An orphan whose"
                     + " delivery fails is delivered again after {} ms, then twice as long after each failure (up to {}"
                     + " ms); the failures of this resumeUri are logged at DEBUG until it takes an orphan: {}",
                    owner.name(), shortId(id), delay, MAX_DELIVERY_DELAY, failure.getMessage());
        } else {
            LOG.debug("logicwebhook:{}: the resumeUri failed for an orphaned wait (wait id header {}), {} time(s) in a"
                      + " row; delivered again in {} ms: {}", owner.name(), shortId(id), failures, delay,
                    failure.getMessage());
        }
        try {
            // from the heartbeat that read it (or the last one): tried again at the heartbeat that many intervals on
            store.deliverLater(id, registry.incarnation(), lastHeartbeat + delay);
        } catch (RuntimeException e) {
            LOG.debug("The wait store could not put off an orphan's delivery; it is tried at the next heartbeat: {}",
                    e.getMessage());
        }
    }

    /**
     * Whether this incarnation is stopping, or stopped waiting ahead of it (Spring Boot's graceful shutdown): it adopts
     * nothing, and claims nothing for another node.
     */
    public boolean stopping() {
        return contextStopping() || registry.waitsStopped();
    }

    private boolean contextStopping() {
        return registry.context().isStopping() || !registry.isRunAllowed();
    }

    /** Owners whose last heartbeat is before this are taken for gone. */
    private long staleBefore(long now) {
        if (store.isExclusive()) {
            return Long.MAX_VALUE;
        }
        // after an outage of the store: only owners that stopped, and waits handed over, until then
        return now < heartbeatsTrustedFrom ? Long.MIN_VALUE : now - recovery.nodeTimeout();
    }

    private static String shortId(String id) {
        return id.length() > 6 ? id.substring(0, 6) + "…" : id;
    }
}

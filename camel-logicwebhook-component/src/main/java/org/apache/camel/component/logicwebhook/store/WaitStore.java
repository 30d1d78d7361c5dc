package org.apache.camel.component.logicwebhook.store;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Service;

/**
 * Where the action keeps its waits. The default, {@link InMemoryWaitStore}, keeps only how finished waits ended (so a
 * late callback is answered 409 or 410): waits end with the JVM. {@link JdbcWaitStore} keeps them in a database, so that
 * they outlive a redeploy or a crash and can be resumed on any node.
 * <p>
 * Every change of a wait's state is one conditional update: of the callback, a duplicate of it, the timeout, a cancel
 * and another node, only the one whose update counted acts. Implementations must be safe for concurrent use.
 */
public interface WaitStore extends Service {

    /** The state of a wait that nothing has finished yet. */
    String PENDING = "PENDING";

    /** Whether waits outlive this JVM: then a graceful stop hands them over instead of cancelling them. */
    boolean isDurable();

    /**
     * Whether only this JVM can use the store (an embedded file database): then every other incarnation in it is gone,
     * and its waits are orphans at once rather than after the node timeout.
     */
    default boolean isExclusive() {
        return false;
    }

    /** A new wait, written before its subscribe request goes out. */
    void insert(StoredWait wait);

    /**
     * The subscribe request was answered: how to unsubscribe ({@code null} when the endpoint does not). Nothing waits on
     * this write: a store may return before it is committed (and log a failure), as {@link JdbcWaitStore} does.
     */
    void subscribed(String id, StoredRequest unsubscribe);

    /**
     * Finishes a pending wait: one conditional update from {@link #PENDING}.
     *
     * @param  result    what the callback carried (JSON), or {@code null}
     * @param  delivered whether the outcome already reached its exchange
     * @return           true when this call finished it; false when it was not pending (or unknown)
     */
    boolean finish(String id, String state, String result, boolean delivered, long now);

    /**
     * Finishes those of these orphans (adopted by this incarnation, which delivers them itself) that are pending and
     * past their deadline, each as {@link #finish} would without a result, not delivered; no other node needs to hear
     * of it. A store may write them together.
     *
     * @return the ids of those this call finished
     */
    default Set<String> finishOrphans(Collection<String> ids, String state, long now) {
        Set<String> finished = new HashSet<>();
        for (String id : ids) {
            StoredWait wait = find(id);
            if (wait != null && wait.deadline() <= now && finish(id, state, null, false, now)) {
                finished.add(id);
            }
        }
        return finished;
    }

    /** A heartbeat moved the deadline of a pending wait. @return false when it is no longer pending */
    boolean extend(String id, long deadline);

    /** The wait, or {@code null} when the store does not know it (or forgot it). */
    StoredWait find(String id);

    /** The outcome of a finished orphan reached its {@code resumeUri} (or needs to reach nothing). */
    void delivered(String id);

    /**
     * The delivery of a finished orphan failed (its {@code resumeUri} route threw): {@link #orphanWork} does not read it
     * again before {@code at}, so that orphans that fail again and again neither fill its reads nor are tried at every
     * heartbeat. Only while {@code incarnation} owns it: its adoption by another incarnation (or the next start) makes it
     * work again at once. A store that ignores it has such orphans tried at every heartbeat.
     */
    default void deliverLater(String id, String incarnation, long at) {
    }

    /** {@link #delivered} for several waits; a store may write them together. */
    default void deliveredAll(Collection<String> ids) {
        ids.forEach(this::delivered);
    }

    /**
     * The live owner of a wait that another node finished takes its delivery: one conditional update, which fails
     * when another node adopted the wait meanwhile (it took this incarnation for gone) and delivers it itself.
     *
     * @param  now its finished time from now on: this incarnation unsubscribes it (see {@link #unsubscribedBefore})
     * @return     true when this incarnation delivers it
     */
    default boolean claimDelivery(String id, String incarnation, long now) {
        return true;
    }

    /**
     * This incarnation is alive (written every heartbeat interval); the first call registers it.
     *
     * @param incarnation one start of one component: a random id
     */
    void heartbeat(String incarnation, long now);

    /**
     * A graceful stop: these waits of this incarnation no longer have an exchange, and whoever adopts them resumes them
     * in their {@code resumeUri} (pending ones, and those another node finished whose outcome was not delivered yet).
     *
     * @return how many were handed over
     */
    int handOver(String incarnation, Collection<String> ids);

    /** This incarnation stopped: its waits may be adopted at once. */
    void stopped(String incarnation);

    /**
     * Every wait this incarnation finished before {@code time} was unsubscribed, or needed no unsubscribe; those it
     * finished since may not have been ({@code null}: none). Written every second or so while waits finish (the first
     * heartbeat writes the start), so that after a crash {@link #takeUnsubscribes} finds the subscriptions that may be
     * left at their services. A store that ignores it leaves them there.
     */
    default void unsubscribedBefore(String incarnation, Long time) {
    }

    /**
     * Takes over the finished waits, of these endpoints, whose unsubscribe an incarnation that is gone (as for
     * {@link #adoptable}) may not have sent: those it finished since its {@link #unsubscribedBefore} time. They become
     * this incarnation's, finished at {@code now}, so that its own unsubscribed-before time covers them until it has sent
     * their unsubscribes again; each is taken once (another node may take them at once). At most {@code max}; once
     * none are left of an endpoint, its gone incarnation is not read for it again.
     */
    default List<StoredWait> takeUnsubscribes(String incarnation, long staleBefore, Collection<String> endpoints,
            long now, int max) {
        return List.of();
    }

    /**
     * Orphans this incarnation may adopt: waits that were handed over, or whose owner stopped or has not been heard of
     * since {@code staleBefore}; pending ones, and finished ones whose outcome was not delivered. Only those of the
     * given endpoints (the actions that run here: another node, or another application on the same store, resumes the
     * others). At most {@code max} of them: a backlog is adopted batch by batch, as it is taken on.
     */
    List<StoredWait> adoptable(String incarnation, long staleBefore, Collection<String> endpoints, int max);

    /**
     * The endpoints of the orphans this incarnation could adopt ({@link #adoptable} for any endpoint), so that those
     * that no action here runs are named in the log. Read now and then: it may read every wait not yet delivered.
     */
    default Set<String> orphanedEndpoints(String incarnation, long staleBefore) {
        return Set.of();
    }

    /**
     * Makes this incarnation the owner of these orphans (as {@link #adoptable} read them), each only if it still is one
     * (another node may adopt at once). Those listed in {@code finish} (pending and past their deadline, as read) are
     * finished as {@code state} by the same write, as {@link #finishOrphans} would: adopted only if they still are
     * pending and past their deadline.
     *
     * @return the ids of those adopted
     */
    Set<String> adopt(String incarnation, long staleBefore, Collection<String> ids, Collection<String> finish,
            String state, long now);

    /**
     * {@link #adopt} for the one wait a callback came for.
     *
     * @return whether it was adopted now
     */
    boolean adoptOne(String incarnation, long staleBefore, String id);

    /**
     * The adopted waits of these endpoints that need work: pending ones past their deadline, and finished ones whose
     * outcome has not been delivered yet (unless their delivery was put off to later than {@code now}:
     * {@link #deliverLater}); at most {@code max}. Orphans of an endpoint no longer run here are left out, so that they
     * do not fill the reads.
     */
    List<StoredWait> orphanWork(String incarnation, Collection<String> endpoints, long now, int max);

    /** Of the {@link #orphanWork}, only the pending ones past their deadline; at most {@code max}. */
    default List<StoredWait> expiredOrphans(String incarnation, Collection<String> endpoints, long now, int max) {
        return orphanWork(incarnation, endpoints, now, max).stream().filter(StoredWait::isPending).toList();
    }

    /**
     * This incarnation's live waits that another node finished (a callback that reached it): their exchanges wait here
     * and are resumed with what the store kept; at most {@code max}.
     */
    List<StoredWait> finishedElsewhere(String incarnation, int max);

    /** Whether {@link #awaitFinishedElsewhere} is told at once (PostgreSQL's LISTEN/NOTIFY); otherwise it is polled. */
    default boolean notifiesFinished() {
        return false;
    }

    /**
     * Waits up to {@code timeoutMillis} for the ids of waits that another node finished, as the store announces them; a
     * store that cannot announce returns none (then {@link #finishedElsewhere} is polled every heartbeat). Called from
     * one thread at a time.
     */
    default List<String> awaitFinishedElsewhere(long timeoutMillis) throws InterruptedException {
        return List.of();
    }

    /**
     * This incarnation takes the lead of a trigger: the epoch grows by one. Several nodes sharing the store keep one
     * subscription per trigger with it.
     */
    default TriggerLease leadTrigger(String name, String incarnation) {
        return TriggerLease.UNTRACKED;
    }

    /**
     * The leader subscribed: how to unsubscribe it.
     *
     * @return false when a newer leader took the trigger meanwhile: the caller must unsubscribe what it just got
     */
    default boolean triggerSubscribed(String name, long epoch, StoredRequest unsubscribe) {
        return true;
    }

    /** The leader unsubscribed (a graceful stop): nothing is left behind for the next leader. */
    default void triggerUnsubscribed(String name, long epoch) {
    }

    /** Forgets finished waits that ended before this time. @return how many */
    int purge(long finishedBefore);

    /** How many waits it holds, by state; empty when it does not count. */
    Map<String, Long> countByState();

    /** How many pending waits it holds: {@link #countByState}'s count of them, which a store may read cheaper. */
    default long countPending() {
        return countByState().getOrDefault(PENDING, 0L);
    }
}

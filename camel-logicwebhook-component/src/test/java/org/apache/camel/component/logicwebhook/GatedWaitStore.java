package org.apache.camel.component.logicwebhook;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.component.logicwebhook.store.StoredRequest;
import org.apache.camel.component.logicwebhook.store.StoredWait;
import org.apache.camel.component.logicwebhook.store.TriggerLease;
import org.apache.camel.component.logicwebhook.store.WaitStore;
import org.apache.camel.support.service.ServiceSupport;

/**
 * A store that holds the first {@link #finish} to a given state (or adoption that finishes orphans as it) at a gate until the test opens it: the way to force
 * one finisher to come between another one's decision and its write.
 */
final class GatedWaitStore extends ServiceSupport implements WaitStore {

    /** Counted down when the held finish arrived at the gate. */
    final CountDownLatch arrived = new CountDownLatch(1);
    /** The test counts it down to let the held finish go on. */
    final CountDownLatch open = new CountDownLatch(1);
    private final WaitStore store;
    private final String heldState;

    GatedWaitStore(WaitStore store, String heldState) {
        this.store = store;
        this.heldState = heldState;
    }

    @Override
    public boolean finish(String id, String state, String result, boolean delivered, long now) {
        holdAt(state);
        return store.finish(id, state, result, delivered, now);
    }

    private void holdAt(String state) {
        if (state.equals(heldState) && arrived.getCount() > 0) {
            arrived.countDown();
            try {
                if (!open.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isDurable() {
        return store.isDurable();
    }

    @Override
    public boolean isExclusive() {
        return store.isExclusive();
    }

    @Override
    public void insert(StoredWait wait) {
        store.insert(wait);
    }

    @Override
    public void subscribed(String id, StoredRequest unsubscribe) {
        store.subscribed(id, unsubscribe);
    }

    @Override
    public boolean extend(String id, long deadline) {
        return store.extend(id, deadline);
    }

    @Override
    public StoredWait find(String id) {
        return store.find(id);
    }

    @Override
    public void delivered(String id) {
        store.delivered(id);
    }

    @Override
    public void heartbeat(String incarnation, long now) {
        store.heartbeat(incarnation, now);
    }

    @Override
    public int handOver(String incarnation, Collection<String> ids) {
        return store.handOver(incarnation, ids);
    }

    @Override
    public void stopped(String incarnation) {
        store.stopped(incarnation);
    }

    @Override
    public List<StoredWait> adoptable(String incarnation, long staleBefore, Collection<String> endpoints, int max) {
        return store.adoptable(incarnation, staleBefore, endpoints, max);
    }

    /** An adoption that finishes orphans is held like a {@link #finish} to the same state. */
    @Override
    public Set<String> adopt(String incarnation, long staleBefore, Collection<String> ids, Collection<String> finish,
            String state, long now) {
        if (!finish.isEmpty()) {
            holdAt(state);
        }
        return store.adopt(incarnation, staleBefore, ids, finish, state, now);
    }

    @Override
    public boolean adoptOne(String incarnation, long staleBefore, String id) {
        return store.adoptOne(incarnation, staleBefore, id);
    }

    @Override
    public void deliverLater(String id, String incarnation, long at) {
        store.deliverLater(id, incarnation, at);
    }

    @Override
    public Set<String> orphanedEndpoints(String incarnation, long staleBefore) {
        return store.orphanedEndpoints(incarnation, staleBefore);
    }

    @Override
    public List<StoredWait> orphanWork(String incarnation, Collection<String> endpoints, long now, int max) {
        return store.orphanWork(incarnation, endpoints, now, max);
    }

    @Override
    public List<StoredWait> expiredOrphans(String incarnation, Collection<String> endpoints, long now, int max) {
        return store.expiredOrphans(incarnation, endpoints, now, max);
    }

    @Override
    public List<StoredWait> finishedElsewhere(String incarnation, int max) {
        return store.finishedElsewhere(incarnation, max);
    }

    @Override
    public boolean notifiesFinished() {
        return store.notifiesFinished();
    }

    @Override
    public List<String> awaitFinishedElsewhere(long timeoutMillis) throws InterruptedException {
        return store.awaitFinishedElsewhere(timeoutMillis);
    }

    @Override
    public TriggerLease leadTrigger(String name, String incarnation) {
        return store.leadTrigger(name, incarnation);
    }

    @Override
    public boolean triggerSubscribed(String name, long epoch, StoredRequest unsubscribe) {
        return store.triggerSubscribed(name, epoch, unsubscribe);
    }

    @Override
    public void triggerUnsubscribed(String name, long epoch) {
        store.triggerUnsubscribed(name, epoch);
    }

    @Override
    public int purge(long finishedBefore) {
        return store.purge(finishedBefore);
    }

    @Override
    public Map<String, Long> countByState() {
        return store.countByState();
    }

    @Override
    protected void doStart() throws Exception {
        store.start();
    }

    @Override
    protected void doStop() throws Exception {
        store.stop();
    }
}

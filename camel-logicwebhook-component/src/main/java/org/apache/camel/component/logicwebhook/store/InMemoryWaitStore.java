package org.apache.camel.component.logicwebhook.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.support.LRUCacheFactory;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The default store: waits live in the JVM's memory only (their exchanges do anyway), so it keeps no pending wait; it
 * remembers how the last finished ones ended (bounded), so that a late or repeated callback is answered 409 or 410
 * rather than 404. A graceful stop cancels the waits and unsubscribes them.
 */
public class InMemoryWaitStore extends ServiceSupport implements WaitStore {

    private final Map<String, String> finished;

    /** @param capacity how many finished waits it remembers */
    public InMemoryWaitStore(int capacity) {
        this.finished = LRUCacheFactory.newLRUCache(capacity);
    }

    @Override
    public boolean isDurable() {
        return false;
    }

    @Override
    public void insert(StoredWait wait) {
        // the pending wait is the registry's own
    }

    @Override
    public void subscribed(String id, StoredRequest unsubscribe) {
        // kept on the pending wait
    }

    /** The registry decided already (its compare-and-set on the wait): this only remembers the outcome. */
    @Override
    public boolean finish(String id, String state, String result, boolean delivered, long now) {
        finished.put(id, state);
        return true;
    }

    @Override
    public boolean extend(String id, long deadline) {
        return true;
    }

    /** A finished wait (with its state only), or {@code null}. */
    @Override
    public StoredWait find(String id) {
        String state = finished.get(id);
        return state == null ? null
                : new StoredWait(id, null, null, false, state, false, 0, 0, 0, null, null, null, true);
    }

    @Override
    public void delivered(String id) {
    }

    @Override
    public void heartbeat(String incarnation, long now) {
    }

    @Override
    public int handOver(String incarnation, Collection<String> ids) {
        return 0;
    }

    @Override
    public void stopped(String incarnation) {
    }

    @Override
    public List<StoredWait> adoptable(String incarnation, long staleBefore, Collection<String> endpoints, int max) {
        return List.of();
    }

    @Override
    public Set<String> adopt(String incarnation, long staleBefore, Collection<String> ids, Collection<String> finish,
            String state, long now) {
        return Set.of();
    }

    @Override
    public boolean adoptOne(String incarnation, long staleBefore, String id) {
        return false;
    }

    @Override
    public List<StoredWait> orphanWork(String incarnation, Collection<String> endpoints, long now, int max) {
        return List.of();
    }

    @Override
    public List<StoredWait> finishedElsewhere(String incarnation, int max) {
        return List.of();
    }

    @Override
    public int purge(long finishedBefore) {
        return 0;
    }

    @Override
    public Map<String, Long> countByState() {
        return Map.of();
    }

    @Override
    protected void doStart() {
    }

    @Override
    protected void doStop() {
    }
}

package org.apache.camel.component.logicwebhook.wait;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The waits this incarnation finished whose unsubscribe may not have been sent yet, so that a crash leaks none of their
 * subscriptions, at the cost of no write per wait: the store keeps, in this incarnation's row, a time before which every
 * wait it finished was unsubscribed (or needed no unsubscribe), written every second or so while waits finish; whoever
 * takes over after a crash unsubscribes again those it finished since (at least once: most of them were).
 * <p>
 * A wait's entry is opened before its claim is written, with the time the claim writes as its finished time, and closed
 * once its unsubscribe is over. The time written is never after an open entry's, and an entry opened after it was taken
 * is never before it (the lock orders the two).
 */
final class UnsubscribeJournal {

    /** The open entries: what their claim wrote as the finished time. */
    private final Map<Object, Long> open = new ConcurrentHashMap<>();
    /** Opening is shared, taking the time to write is exclusive. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final AtomicLong opened = new AtomicLong();
    /** The latest time a mark was taken at: no entry opened after it is before it (guarded by the lock). */
    private long floor;
    /** How many had been opened when the last mark was taken, and whether any was open then (the writer's thread). */
    private long openedAtMark = -1;
    private boolean openAtMark;

    /**
     * Opens an entry for a wait about to be finished.
     *
     * @return the finished time its claim must write
     */
    long open(Object key, long now) {
        lock.readLock().lock();
        try {
            long at = Math.max(now, floor);
            open.put(key, at);
            opened.incrementAndGet();
            return at;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Its unsubscribe is over, or there is none to send. */
    void close(Object key) {
        open.remove(key);
    }

    /** An entry opened for nothing (work that found no wait to finish): as if it had not been opened. */
    void discard(Object key) {
        if (open.remove(key) != null) {
            opened.decrementAndGet();
        }
    }

    /**
     * The time to write now: the earliest open entry's, or now when none is open; {@code null} when nothing changed since
     * the last one taken (no entry opened, none open then or now). Called from one thread at a time.
     */
    Long mark(long now) {
        long count = opened.get();
        boolean anyOpen = !open.isEmpty();
        if (count == openedAtMark && !anyOpen && !openAtMark) {
            return null;
        }
        long mark;
        lock.writeLock().lock();
        try {
            floor = Math.max(floor, now);
            mark = floor;
            for (long at : open.values()) {
                mark = Math.min(mark, at);
            }
        } finally {
            lock.writeLock().unlock();
        }
        openedAtMark = count;
        openAtMark = anyOpen;
        return mark;
    }

    /** The last time taken could not be written: the next {@link #mark} gives one whatever happened meanwhile. */
    void unwritten() {
        openedAtMark = -1;
    }

    /** The time to write at a graceful stop: the earliest open entry's, or {@code null} when none is open. */
    Long markOfOpen() {
        return open.values().stream().min(Long::compare).orElse(null);
    }
}

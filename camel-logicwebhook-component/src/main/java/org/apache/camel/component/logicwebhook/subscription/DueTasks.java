package org.apache.camel.component.logicwebhook.subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Future;
import java.util.function.LongFunction;

/**
 * Work due at a time of the component's clock: retries and lease renewals. The wait registry's sweeper takes what is
 * due on each tick and hands it to the worker pool, so a test that moves the clock moves these too, and a task waiting
 * for its time holds no thread. Camel's schedulers measure real time, which a test cannot move. So that a task does not
 * wait for the next tick after its time, whoever runs them may also be asked to wake up at each task's time
 * ({@link #wakeUpWith}); such a wake-up is cancelled once its task leaves the queue another way.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class DueTasks {

    /** Something to run when due, or to give up on when the component stops first. */
    public interface Task {
        void run();

        void abandon();
    }

    /** A scheduled task; cancelling it keeps it from running (or from being abandoned). */
    public static final class Entry implements Comparable<Entry> {
        final long dueAt;
        final Task task;
        private final long sequence;
        private volatile boolean cancelled;
        private volatile Future<?> wakeUp;

        private Entry(long dueAt, long sequence, Task task) {
            this.dueAt = dueAt;
            this.sequence = sequence;
            this.task = task;
        }

        public void cancel() {
            cancelled = true;
            stopWakeUp();
        }

        private void stopWakeUp() {
            Future<?> pending = wakeUp;
            if (pending != null) {
                pending.cancel(false);
            }
        }

        @Override
        public int compareTo(Entry other) {
            int byTime = Long.compare(dueAt, other.dueAt);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long sequence;
    private boolean closed;
    private LongFunction<Future<?>> wakeUp = dueAt -> null;

    /**
     * @param wakeUp asked, for each task scheduled from now on, to run what is due at the task's time; returns what
     *               cancels that wake-up, or {@code null} when there is none
     */
    public synchronized void wakeUpWith(LongFunction<Future<?>> wakeUp) {
        this.wakeUp = wakeUp;
    }

    /**
     * @return the entry, or {@code null} when the component is stopping: the task was abandoned right away
     */
    public Entry schedule(long dueAt, Task task) {
        synchronized (this) {
            if (!closed) {
                Entry entry = new Entry(dueAt, sequence++, task);
                queue.add(entry);
                entry.wakeUp = wakeUp.apply(dueAt);
                return entry;
            }
        }
        task.abandon();
        return null;
    }

    /** Removes and returns the tasks due at {@code now}, earliest first. */
    public synchronized List<Task> takeDue(long now) {
        List<Task> due = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().dueAt <= now) {
            Entry entry = queue.poll();
            entry.stopWakeUp();
            if (!entry.cancelled) {
                due.add(entry.task);
            }
        }
        return due;
    }

    /** Takes every task still waiting, and refuses new ones from now on. */
    public synchronized List<Task> close() {
        closed = true;
        List<Task> left = new ArrayList<>();
        for (Entry entry : queue) {
            entry.stopWakeUp();
            if (!entry.cancelled) {
                left.add(entry.task);
            }
        }
        queue.clear();
        return left;
    }

    /** How many tasks wait for their time. */
    public synchronized int size() {
        return (int) queue.stream().filter(entry -> !entry.cancelled).count();
    }

    public synchronized void open() {
        closed = false;
    }
}

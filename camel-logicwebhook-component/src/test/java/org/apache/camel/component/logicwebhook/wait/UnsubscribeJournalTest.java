package org.apache.camel.component.logicwebhook.wait;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The two orders of opening an entry and taking the time to write: the time written is never after an open entry's,
 * and an entry opened after the time was taken is never before it, even when the clock went back in between.
 */
class UnsubscribeJournalTest {

    @Test
    void theTimeWrittenIsNeverAfterAnOpenEntry() {
        UnsubscribeJournal journal = new UnsubscribeJournal();
        Object first = new Object();
        assertEquals(100, journal.open(first, 100));
        assertEquals(100, journal.mark(200));
        Object second = new Object();
        assertEquals(250, journal.open(second, 250));
        journal.close(first);
        assertEquals(250, journal.mark(300));
        assertEquals(250, journal.markOfOpen());
        journal.close(second);
        assertEquals(400, journal.mark(400));
        assertNull(journal.markOfOpen());
    }

    @Test
    void anEntryOpenedAfterTheTimeWasTakenIsNeverBeforeIt() {
        UnsubscribeJournal journal = new UnsubscribeJournal();
        assertEquals(1_000, journal.mark(1_000));
        // the clock went back (an NTP step): the claim writes the time already written, not before it
        Object entry = new Object();
        assertEquals(1_000, journal.open(entry, 900));
        assertEquals(1_000, journal.mark(950));
    }

    @Test
    void nothingIsWrittenWhileNoWaitFinishes() {
        UnsubscribeJournal journal = new UnsubscribeJournal();
        assertEquals(100, journal.mark(100));
        assertNull(journal.mark(200));
        Object entry = new Object();
        journal.open(entry, 300);
        journal.close(entry);
        assertEquals(400, journal.mark(400));
        assertNull(journal.mark(500));
        // work that found nothing to finish
        Object nothing = new Object();
        journal.open(nothing, 600);
        journal.discard(nothing);
        assertNull(journal.mark(700));
    }
}

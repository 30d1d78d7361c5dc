package org.apache.camel.component.logicwebhook.store;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.component.logicwebhook.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What another node takes over to unsubscribe again from a node that is gone: the waits it finished since its
 * unsubscribed-before time, once; and again what it finished later, should it come back (it was only taken for gone)
 * and then go for good.
 */
class JdbcWaitStoreUnsubscribesTest {

    private static final String ENDPOINT = "approval";

    private DataSource database;
    private JdbcWaitStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.stop();
        }
        TestDatabases.close(database);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void whatANodeFinishedSinceItsTimeIsTakenOnceAndWhatItFinishesAfterComingBackToo(TestDatabases db) throws Exception {
        database = db.open();
        store = new JdbcWaitStore(database);
        store.start();
        store.heartbeat("gone", 1_000);
        store.unsubscribedBefore("gone", 2_000L);
        finished("unsubscribed", 1_500);
        finished("not-yet", 2_500);

        assertEquals(List.of("not-yet"), ids(store.takeUnsubscribes("taker", 5_000, List.of(ENDPOINT), 6_000, 200)));
        assertEquals(List.of(), ids(store.takeUnsubscribes("taker", 5_000, List.of(ENDPOINT), 6_500, 200)),
                "taken once");
        assertEquals("taker", store.find("not-yet").owner());

        // it was alive after all: it finishes another wait while an unsubscribe still keeps its time where it was
        finished("later", 7_000);
        store.unsubscribedBefore("gone", 2_000L);
        assertEquals(List.of("later"), ids(store.takeUnsubscribes("taker", 8_000, List.of(ENDPOINT), 9_000, 200)));
    }

    /** A wait of the node "gone", finished (by its callback) at that time, its subscribe answered. */
    private void finished(String id, long at) {
        store.insert(new StoredWait(id, ENDPOINT, "gone", false, WaitStore.PENDING, true, at - 100, at + 60_000,
                at + 60_000, new StoredRequest("DELETE", "http://service/jobs/" + id, Map.of(), null), null, null, false));
        assertEquals(true, store.finish(id, "COMPLETED", null, true, at));
    }

    private static List<String> ids(List<StoredWait> waits) {
        return waits.stream().map(StoredWait::id).sorted().toList();
    }
}

package org.apache.camel.component.logicwebhook.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * PostgreSQL's LISTEN/NOTIFY through pgjdbc: the only class that refers to the driver, loaded only when the store's
 * database is PostgreSQL (the driver is the application's dependency).
 */
final class PostgresNotifications {

    private PostgresNotifications() {
    }

    /** The payloads of the notifications that arrive within {@code timeoutMillis} (none: an empty list). */
    static List<String> await(Connection listening, int timeoutMillis) throws SQLException {
        PGNotification[] notifications = listening.unwrap(PGConnection.class).getNotifications(timeoutMillis);
        List<String> payloads = new ArrayList<>();
        if (notifications != null) {
            for (PGNotification notification : notifications) {
                payloads.add(notification.getParameter());
            }
        }
        return payloads;
    }
}

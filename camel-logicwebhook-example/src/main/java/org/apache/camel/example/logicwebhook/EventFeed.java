package org.apache.camel.example.logicwebhook;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The state of the demo event feed: who subscribed with which callback URL, and which subscriptions were removed.
 */
public class EventFeed {

    private final Map<String, String> subscribers = new ConcurrentHashMap<>();
    private final List<String> unsubscribed = new CopyOnWriteArrayList<>();

    /** @return the id of the new subscription */
    public String subscribe(String callbackUrl) {
        String id = UUID.randomUUID().toString();
        subscribers.put(id, callbackUrl);
        return id;
    }

    /** @return whether the subscription existed */
    public boolean unsubscribe(String id) {
        if (subscribers.remove(id) == null) {
            return false;
        }
        unsubscribed.add(id);
        return true;
    }

    public List<String> callbackUrls() {
        return List.copyOf(subscribers.values());
    }

    /** The subscription ids with their callback URLs cut before the query string, which holds the signature. */
    public Map<String, String> subscriptions() {
        Map<String, String> view = new ConcurrentHashMap<>();
        subscribers.forEach((id, url) -> view.put(id, url.replaceFirst("\\?.*", "?…")));
        return view;
    }

    /** The ids of the subscriptions that were removed, oldest first. */
    public List<String> unsubscribed() {
        return List.copyOf(unsubscribed);
    }
}

package org.apache.camel.component.logicwebhook.observability;

/**
 * How a wait of the action ended.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public enum WaitOutcome {

    /** Its callback resumed it. */
    COMPLETED("completed"),
    /** Its failure URL was called, or the service denied its subscription. */
    FAILED("failed"),
    /** Its timeout passed first. */
    TIMED_OUT("timed_out"),
    /** Its route or the context stopped first, or its subscribe failed. */
    CANCELLED("cancelled"),
    /** The application stopped and a durable wait store kept it: the next start or another node resumes it. */
    HANDED_OVER("handed_over");

    static final WaitOutcome[] ALL = values();

    /** The {@code outcome} tag of the wait-duration meter. */
    final String tag;

    WaitOutcome(String tag) {
        this.tag = tag;
    }
}

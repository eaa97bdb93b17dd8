package dev.faultline.core.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of faults with their times. An entry may repeat {@code every} period until {@code until}.
 * {@link #install} schedules every occurrence on an injector.
 */
public final class FaultSchedule {
    /** One scheduled fault: first at {@code atNanos}, then every {@code everyNanos} (when positive) up to {@code untilNanos}. */
    public record Entry(long atNanos, Fault fault, long everyNanos, long untilNanos) {
        public Entry {
            if (atNanos < 0) {
                throw new IllegalArgumentException("a fault cannot fire before time 0");
            }
            if (everyNanos < 0) {
                throw new IllegalArgumentException("'every' must be positive");
            }
        }

        public static Entry at(long atNanos, Fault fault) {
            return new Entry(atNanos, fault, 0, atNanos);
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    public FaultSchedule add(long atNanos, Fault fault) {
        entries.add(Entry.at(atNanos, fault));
        return this;
    }

    public FaultSchedule add(Entry entry) {
        entries.add(entry);
        return this;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Schedules every occurrence of every entry. */
    public void install(FaultInjector injector) {
        for (Entry e : entries) {
            injector.scheduleAt(e.atNanos(), e.fault());
            if (e.everyNanos() > 0) {
                for (long t = e.atNanos() + e.everyNanos(); t <= e.untilNanos(); t += e.everyNanos()) {
                    injector.scheduleAt(t, e.fault());
                }
            }
        }
    }
}

package dev.faultline.core.mode;

import java.util.List;
import java.util.Map;

/**
 * The Kafka release whose behaviour a run models ({@code cluster.version}). A version profile
 * selects the behaviours and defaults that changed between releases and bear on failover; each
 * mode's module owns what its profile changes ({@link MetadataMode#versions()},
 * {@link MetadataMode#build}), and the data plane's client defaults are here
 * ({@link #clientDefaults()}). Everything not listed is the same in every version (the Raft timers,
 * the broker session and heartbeat, the client back-offs). README "Version profiles" lists every
 * difference with its KIP.
 */
public enum KafkaVersion {
    /** Kafka 3.9: the last release with ZooKeeper mode; KRaft without pre-vote, fencing at the exact session deadline. */
    V3_9("3.9"),
    /** Kafka 4.0: KRaft only; pre-vote (KIP-996), periodic fencing check, producer {@code linger.ms} 5 (KIP-1030). */
    V4_0("4.0");

    /** The version a scenario runs when it names none: the last release in which both metadata modes exist. */
    public static final KafkaVersion DEFAULT = V3_9;

    private final String text;

    KafkaVersion(String text) {
        this.text = text;
    }

    /** As written in a scenario: {@code 3.9}, {@code 4.0}. */
    public String text() {
        return text;
    }

    /** The version written {@code text} ({@code 3.9}, {@code 4.0}), or {@code null}. */
    public static KafkaVersion parse(String text) {
        String t = text.trim();
        for (KafkaVersion v : values()) {
            if (v.text.equals(t)) {
                return v;
            }
        }
        return null;
    }

    /** Every version as written, oldest first. */
    public static List<String> texts() {
        return java.util.Arrays.stream(values()).map(KafkaVersion::text).toList();
    }

    /** Whether this release is {@code other} or later. */
    public boolean atLeast(KafkaVersion other) {
        return compareTo(other) >= 0;
    }

    /**
     * Producer defaults of this release's Java client that differ from the 3.9 client the data plane
     * models by default ({@code ProducerConfig}): 4.0 raised {@code linger.ms} from 0 to 5 (KIP-1030).
     * A producer's own setting wins.
     */
    public Map<String, String> clientDefaults() {
        return this == V4_0 ? Map.of("linger.ms", "5") : Map.of();
    }
}

package dev.faultline.core.check.classify;

import dev.faultline.core.check.Violation;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one place where violations are classified BUG, HAZARD or EXPECTED ({@link ViolationClass};
 * docs/invariants.md#classification). A checker states what it established about a case as
 * {@link Evidence}; the first rule whose invariant, mode and evidence all match gives the class. A
 * case no rule matches is a BUG. Each HAZARD rule names the KIP or JIRA issue that documents the
 * behaviour in real Kafka or ZooKeeper, and each EXPECTED rule the configuration that permits it.
 */
public final class Classifier {
    /** The class of a case no rule matches. */
    public static final Classification NO_RULE = new Classification(ViolationClass.BUG, "no-rule", "");

    /**
     * One rule.
     *
     * @param name a stable name (fuzz signatures and reports use it)
     * @param violationClass the class it gives
     * @param reference the KIP, JIRA issue or configuration that backs it
     * @param invariants the invariant ids it applies to
     * @param modes the metadata modes it applies to ({@code zookeeper}, {@code kraft}, {@code oracle})
     * @param requires the evidence that must all be present
     * @param why the argument, in one paragraph
     */
    public record Rule(String name, ViolationClass violationClass, String reference, Set<String> invariants, Set<String> modes,
                       Set<Evidence> requires, String why) {
        public Rule {
            Objects.requireNonNull(name);
            Objects.requireNonNull(violationClass);
            Objects.requireNonNull(reference);
            invariants = Set.copyOf(invariants);
            modes = Set.copyOf(modes);
            requires = Set.copyOf(requires);
            Objects.requireNonNull(why);
        }

        /** Whether this rule covers a violation of {@code invariant} in {@code mode} with {@code evidence}. */
        public boolean matches(String invariant, Collection<Evidence> evidence, String mode) {
            return invariants.contains(invariant) && modes.contains(mode) && evidence.containsAll(requires);
        }

        /** The classification this rule gives. */
        public Classification classification() {
            return new Classification(violationClass, name, reference);
        }
    }

    private static final Set<String> ALL_MODES = Set.of("zookeeper", "kraft", "oracle");

    private static final List<Rule> RULES = List.of(
            new Rule("unclean-election", ViolationClass.EXPECTED, "unclean.leader.election.enable=true", Set.of("DP-S1", "DP-S3"), ALL_MODES,
                    Set.of(Evidence.UNCLEAN_ELECTION),
                    "The topic lets the controller elect a replica from outside the ISR when no ISR member is alive. Kafka documents that "
                            + "such a leader may lack committed records, which the other replicas then truncate (the durability section of "
                            + "Kafka's documentation; KIP-704 lists what it breaks). The configuration chose availability over durability."),
            new Rule("last-in-sync-copy-lost", ViolationClass.EXPECTED, "log.flush.interval.messages, min.insync.replicas", Set.of("DP-S1", "DP-S3"),
                    ALL_MODES, Set.of(Evidence.LAST_COPY_LOST_OUTSIDE_PROTOCOL),
                    "Kafka acknowledges an acks=all write once every ISR member has it in its log, not on disk: "
                            + "log.flush.interval.messages defaults to Long.MAX_VALUE and durability comes from replication. The ISR may "
                            + "shrink to min.insync.replicas members. A power loss or a lost disk that takes every in-sync copy loses "
                            + "the records in every version; only flush settings or a larger min.insync.replicas would have kept them."),
            new Rule("zk-unclean-shutdown-leader", ViolationClass.HAZARD, "KIP-966", Set.of("DP-S1", "DP-S3"), Set.of("zookeeper"),
                    Set.of(Evidence.LEADER_LOST_DATA_BEFORE_TAKEOVER),
                    "In ZooKeeper mode a broker's liveness is its session. A broker that loses its log (power loss, lost disk) stays "
                            + "registered until its old session expires, and its next registration is only a new znode: a controller "
                            + "that was not active when the old one went away (one that fails over meanwhile loads /brokers/ids as it "
                            + "finds it) cannot tell that the broker restarted. The broker stays in the ISR stored in ZooKeeper and can "
                            + "be elected leader with a log that lacks acknowledged records, which the other replicas then truncate. "
                            + "KIP-966 (unclean-shutdown detection at registration, eligible leader replicas) is KRaft-only; "
                            + "ZooKeeper mode never got it."),
            new Rule("unclean-shutdown-last-isr-member", ViolationClass.HAZARD, "KIP-966", Set.of("DP-S3"), Set.of("kraft", "oracle"),
                    Set.of(Evidence.LEADER_LOST_DATA_BEFORE_TAKEOVER, Evidence.SOLE_IN_SYNC_REPLICA),
                    "A KRaft controller never empties an ISR: when the last ISR member is fenced it stays in the ISR with no leader "
                            + "(ReplicationControlManager). Before KIP-966, a broker that registers again after an unclean shutdown "
                            + "(power loss, lost disk) is not told apart from one that stopped cleanly, so it is unfenced and elected "
                            + "from that ISR with the log it came back with; replicas that left the ISR and still hold the committed "
                            + "records truncate them. KIP-966 adds the unclean-shutdown check at registration and eligible leader "
                            + "replicas (Kafka 4.0 ships them off by default: eligible.leader.replicas.version=0); the model has "
                            + "neither. The oracle elects from the ISR the same way."));

    private Classifier() {
    }

    /** Every rule, in the order they are tried. */
    public static List<Rule> rules() {
        return RULES;
    }

    /** The class of a violation of {@code invariant} in {@code mode} with {@code evidence}: the first matching rule, else {@link #NO_RULE}. */
    public static Classification classify(String invariant, Collection<Evidence> evidence, String mode) {
        for (Rule r : RULES) {
            if (r.matches(invariant, evidence, mode)) {
                return r.classification();
            }
        }
        return NO_RULE;
    }

    /** The class of {@code violation} in a run of {@code mode}. */
    public static Classification classify(Violation violation, String mode) {
        return classify(violation.invariant(), violation.evidence(), mode);
    }
}

package dev.faultline.scenarios.spec;

import dev.faultline.scenarios.spec.Scenario.Cluster;
import dev.faultline.core.mode.MetadataMode;
import dev.faultline.scenarios.spec.Scenario.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node names and roles a fault may target in a given cluster, for validation before a run.
 *
 * <p>Node names: {@code broker-1..N} and the nodes the cluster's mode adds
 * ({@link MetadataMode#nodeNames}). Roles, resolved when the fault fires: {@code active-controller},
 * {@code leader-of(T-P)}, {@code random-broker}, {@code rack(X)}, the groups {@code all},
 * {@code brokers} and {@code controllers} (the mode's quorum, or the brokers where it has none), and
 * the roles of the mode ({@link MetadataMode#roles}: its quorum's leader, {@code minority} and
 * {@code majority} of its quorum, ...).
 */
public final class Targets {
    public static final Pattern LEADER_OF = Pattern.compile("leader-of\\((.+)-(\\d+)\\)");
    public static final Pattern RACK = Pattern.compile("rack\\((.+)\\)");

    private final Cluster cluster;
    private final List<Topic> topics;

    public Targets(Cluster cluster, List<Topic> topics) {
        this.cluster = cluster;
        this.topics = topics;
    }

    /** The cluster's metadata mode. */
    public MetadataMode mode() {
        return Modes.of(cluster.mode());
    }

    /** Whether the active controller is a broker process in this cluster (zookeeper, kraft combined). */
    public boolean controllerOnBrokers() {
        return mode().controllerOnBrokers(Modes.layout(cluster));
    }

    /** Voters of the controller quorum (kraft) or servers of the ensemble (zookeeper); 0 for the oracle. */
    int quorumSize() {
        return Modes.layout(cluster).quorum();
    }

    /** Node names of this cluster. */
    public List<String> nodeNames() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= cluster.brokers(); i++) {
            out.add("broker-" + i);
        }
        out.addAll(mode().nodeNames(Modes.layout(cluster)));
        return out;
    }

    /** Roles valid in this cluster's mode. */
    public List<String> roles() {
        List<String> out = new ArrayList<>(List.of("active-controller", "random-broker", "all", "brokers", "controllers"));
        out.addAll(mode().roles());
        return out;
    }

    /**
     * Whether the target names only brokers whatever it resolves to: a broker, {@code leader-of},
     * {@code random-broker}, {@code brokers}, {@code rack(X)}, and {@code active-controller} where
     * controllers are brokers (zookeeper, kraft combined).
     */
    public boolean isBrokerTarget(String target) {
        if (target.matches("broker-\\d+") && nodeNames().contains(target)) {
            return true;
        }
        if (target.equals("random-broker") || target.equals("brokers") || LEADER_OF.matcher(target).matches()
                || RACK.matcher(target).matches()) {
            return true;
        }
        return target.equals("active-controller") && controllerOnBrokers();
    }

    /** {@code null} when the target is valid here, else a message saying what would be. */
    public String check(String target, boolean restAllowed) {
        if (target.isEmpty()) {
            return "empty target";
        }
        if (restAllowed && target.equals("rest")) {
            return null;
        }
        if (target.equals("minority") && quorumSize() == 1) {
            return "'minority' of a quorum of " + quorumSize() + " names no node (a minority needs a quorum of at least 2)";
        }
        if (nodeNames().contains(target) || roles().contains(target)) {
            return null;
        }
        Matcher m = LEADER_OF.matcher(target);
        if (m.matches()) {
            String topic = m.group(1);
            long p = index(m.group(2));
            for (Topic t : topics) {
                if (t.name().equals(topic)) {
                    return p >= 0 && p < t.partitions() ? null : "'" + target + "': topic " + topic + " has partitions 0.." + (t.partitions() - 1);
                }
            }
            return "'" + target + "': no topic named '" + topic + "'";
        }
        Matcher r = RACK.matcher(target);
        if (r.matches()) {
            int index = cluster.racks().indexOf(r.group(1));
            if (index < 0) {
                return "'" + target + "': no rack '" + r.group(1) + "'; racks: " + cluster.racks();
            }
            // Brokers are assigned to racks round-robin: rack k holds broker k+1 only if there are that many.
            return index < cluster.brokers() ? null : "'" + target + "': rack '" + r.group(1) + "' has no broker (" + cluster.brokers()
                    + " brokers over " + cluster.racks().size() + " racks, assigned round-robin)";
        }
        List<String> all = new ArrayList<>(nodeNames());
        all.addAll(roles());
        String hint = Suggest.didYouMean(target, all);
        for (MetadataMode other : Modes.all()) {
            if (other.owns(target)) {
                hint += "; " + other.absentHint();
                break;
            }
        }
        return "unknown target '" + target + "'" + hint + "; valid: a node (" + summary(nodeNames()) + ") or a role ("
                + String.join(", ", roles()) + ", leader-of(TOPIC-P), rack(NAME))";
    }

    /**
     * A node or partition number written as digits (as matched by {@code \\d+}); -1 when it is too
     * large to be one (more digits than an int holds), so that the caller reports it as out of range.
     */
    static long index(String digits) {
        String d = digits.replaceFirst("^0+(?=.)", "");
        return d.isEmpty() || d.length() > 9 ? -1 : Long.parseLong(d);
    }

    private static String summary(List<String> names) {
        if (names.size() <= 6) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, 3)) + ", ..., " + names.get(names.size() - 1);
    }
}

package dev.faultline.core.kafka;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.control.PartitionStateView;
import dev.faultline.core.control.TopicCreation;
import dev.faultline.core.kernel.Simulation;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures topics created at runtime ({@link TopicCreation}): after every event, for each topic
 * requested and not yet ready, whether all its partitions have an authoritative state (created) and
 * whether each has a leader broker that applied leadership at that state's leader epoch (ready; a
 * partition counts from the first time this held). Omniscient and read-only: an {@link Invariant}
 * that never fails.
 */
final class TopicCreationWatch implements Invariant {
    private final Simulation sim;
    private final ClusterSpec cluster;
    private final ControlPlane controlPlane;
    private final List<Pending> topics = new ArrayList<>();

    private static final class Pending {
        final String topic;
        final int first;
        final int count;
        final long requestedAt;
        final boolean[] led;
        int ledCount;
        long createdAt = -1;
        long readyAt = -1;

        Pending(String topic, int first, int count, long requestedAt) {
            this.topic = topic;
            this.first = first;
            this.count = count;
            this.requestedAt = requestedAt;
            this.led = new boolean[count];
        }

        TopicCreation measure() {
            return new TopicCreation(topic, requestedAt, createdAt < 0 ? -1 : createdAt - requestedAt,
                    readyAt < 0 ? -1 : readyAt - requestedAt, count);
        }
    }

    TopicCreationWatch(Simulation sim, ClusterSpec cluster, ControlPlane controlPlane) {
        this.sim = sim;
        this.cluster = cluster;
        this.controlPlane = controlPlane;
    }

    /** An administrator asked for the topic now. */
    void requested(String topic) {
        int first = cluster.topicFirstPartition(topic);
        topics.add(new Pending(topic, first, cluster.topics().get(cluster.topicOf(first)).partitions(), sim.now()));
    }

    /** Every topic requested so far, in request order. */
    List<TopicCreation> measurements() {
        List<TopicCreation> out = new ArrayList<>(topics.size());
        for (Pending t : topics) {
            out.add(t.measure());
        }
        return out;
    }

    @Override
    public String name() {
        return "topic-creation-watch";
    }

    @Override
    public void check(CheckContext context) {
        for (Pending t : topics) {
            if (t.readyAt >= 0) {
                continue;
            }
            PartitionStateView view = controlPlane.partitionStates();
            boolean allCreated = true;
            for (int i = 0; i < t.count; i++) {
                int p = t.first + i;
                PartitionState s = view.state(p);
                if (s == null) {
                    allCreated = false;
                    continue;
                }
                if (!t.led[i] && s.hasLeader()) {
                    KafkaBroker leader = sim.process(sim.node(ClusterSpec.brokerNodeName(s.leader())), KafkaBroker.class);
                    if (leader != null && leader.isLeader(p) && leader.leaderEpoch(p) == s.leaderEpoch()) {
                        t.led[i] = true;
                        t.ledCount++;
                    }
                }
            }
            if (allCreated && t.createdAt < 0) {
                t.createdAt = sim.now();
            }
            if (t.ledCount == t.count) {
                t.readyAt = sim.now();
            }
        }
    }
}

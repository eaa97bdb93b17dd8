package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.control.PartitionStateView;
import dev.faultline.core.control.TopicCreation;
import dev.faultline.core.kernel.Observer;
import dev.faultline.core.kernel.Simulation;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures topics created at runtime ({@link TopicCreation}): whether all its partitions have an
 * authoritative state (created) and whether each has a leader broker that applied leadership at
 * that state's leader epoch (ready; a partition counts from the first time this held). Omniscient
 * and read-only: an {@link Observer}. Incremental: creation is followed with a
 * cursor over the topic's partitions (states are never removed), and a partition's leadership is
 * looked at only after an event in which a broker applied a leadership of it or an election or ISR
 * change of it became authoritative ({@link #partitionChanged}), so an event costs nothing per
 * partition of the topic.
 */
final class TopicCreationWatch implements Observer {
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
        /** Partitions to look at after this event (topic-relative): changed, or not led yet when last looked at. */
        final IntLinkedOpenHashSet changed = new IntLinkedOpenHashSet();
        int ledCount;
        /** Partitions [0, createdCursor) have a state. */
        int createdCursor;
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
        Pending t = new Pending(topic, first, cluster.topics().get(cluster.topicOf(first)).partitions(), sim.now());
        if (controlPlane.partitionStates().state(first) != null) {
            for (int i = 0; i < t.count; i++) {
                t.changed.add(i); // it exists already (a topic requested twice): look at every partition once
            }
        }
        topics.add(t);
    }

    /** A broker applied a leadership of the partition, or an election or ISR change of it became authoritative. */
    void partitionChanged(int partition) {
        for (Pending t : topics) {
            if (t.readyAt < 0 && partition >= t.first && partition < t.first + t.count) {
                t.changed.add(partition - t.first);
            }
        }
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
    public void afterEvent(long nowNanos) {
        for (Pending t : topics) {
            if (t.readyAt >= 0) {
                continue;
            }
            PartitionStateView view = controlPlane.partitionStates();
            while (t.createdCursor < t.count && view.state(t.first + t.createdCursor) != null) {
                t.createdCursor++;
            }
            if (t.createdCursor == t.count && t.createdAt < 0) {
                t.createdAt = sim.now();
            }
            if (t.changed.isEmpty()) {
                continue;
            }
            // A partition that does not hold yet stays to be looked at after the next events (the
            // authoritative view may catch up with an applied leadership one event later).
            IntIterator it = t.changed.iterator();
            while (it.hasNext()) {
                int i = it.nextInt();
                int p = t.first + i;
                PartitionState s = t.led[i] ? null : view.state(p);
                if (!t.led[i] && s != null && s.hasLeader()) {
                    KafkaBroker leader = sim.process(sim.node(ClusterSpec.brokerNodeName(s.leader())), KafkaBroker.class);
                    if (leader != null && leader.isLeader(p) && leader.leaderEpoch(p) == s.leaderEpoch()) {
                        t.led[i] = true;
                        t.ledCount++;
                    }
                }
                if (t.led[i]) {
                    it.remove();
                }
            }
            if (t.ledCount == t.count) {
                t.readyAt = sim.now();
            }
        }
    }
}

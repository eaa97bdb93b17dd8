package dev.faultline.raft.kraft;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.kraft.ControllerMessage.AlterPartitionMessage;
import dev.faultline.raft.kraft.ControllerMessage.AlterPartitionReply;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;

/**
 * The active controller's partitions: Kafka's {@code ReplicationControlManager}
 * (docs/model.md#isr-changes-in-kraft). It decides the PartitionChange records when a broker is
 * fenced, enters controlled shutdown or becomes eligible again, creates the initial partitions and
 * the topics of CreateTopics requests, and validates AlterPartition requests (KIP-497/841/903).
 * Every method runs inside an event of its {@link QuorumController} and writes through it to the
 * working image; which broker is fenced when is {@link BrokerSessions}'s.
 */
final class ReplicationControl {
    private final QuorumController controller;
    private final KRaftControlPlane plane;
    private final NodeContext ctx;
    private final ClusterSpec cluster;
    /** The next initial partition {@link #maybeCreatePartitions} looks at (reset at claim). */
    private int createCursor;

    ReplicationControl(QuorumController controller, KRaftControlPlane plane, NodeContext ctx) {
        this.controller = controller;
        this.plane = plane;
        this.ctx = ctx;
        this.cluster = plane.cluster();
    }

    /** A claim: initial partitions are looked at from the first again. */
    void claimed() {
        createCursor = 0;
    }

    /**
     * The broker {@code brokerId} was fenced (its fence record is written): a PartitionChange for
     * every partition whose ISR holds it, with a new leader where it led (KM-S3/KM-S4 switches).
     */
    void fenced(int brokerId) {
        WorkingImage working = controller.working();
        for (int p : plane.partitionsOf(brokerId)) {
            PartitionState s = working.partition(p);
            if (s == null || !s.inIsr(brokerId)) {
                continue;
            }
            if (s.leader() == brokerId) {
                int[] replicas = cluster.replicas(p);
                IntList isr = LeaderElection.isrWithout(s.isr(), brokerId);
                // Planted bug kraftController.electFencedLeader (KM-S4 test switch): a fenced replica may lead.
                LeaderElection.Election e = LeaderElection.offlinePartition(replicas, isr,
                        plane.settings().electFencedLeader ? working::isRegistered : working::isEligible, cluster.uncleanLeaderElectionEnabled(p));
                IntList newIsr = e.elected() ? LeaderElection.isrAfterElection(e, isr, working::isEligible) : isr;
                if (!e.elected() && plane.settings().fenceEmptiesIsr) {
                    // Planted bug kraftController.fenceEmptiesIsr (KM-S3 test switch): the last member leaves the ISR.
                    newIsr = new it.unimi.dsi.fastutil.ints.IntArrayList();
                }
                controller.append(new MetadataRecord.PartitionChange(s.withLeader(e.leader(), newIsr), e.unclean()));
            } else {
                controller.append(new MetadataRecord.PartitionChange(s.withIsr(LeaderElection.isrWithout(s.isr(), brokerId)), false, false));
            }
        }
    }

    /**
     * Controlled shutdown of broker {@code b} begins (its registration change is at {@code last}):
     * a PartitionChange for every partition whose ISR holds it, out of the ISR unless it is the last
     * member, and a new leader, chosen among eligible replicas, where it led (none if nobody else is
     * eligible). Returns the offset of the last record written.
     */
    long controlledShutdown(int b, long last) {
        WorkingImage working = controller.working();
        for (int p : plane.partitionsOf(b)) {
            PartitionState s = working.partition(p);
            if (s == null || !s.inIsr(b)) {
                continue;
            }
            IntList isr = LeaderElection.isrWithout(s.isr(), b);
            if (s.leader() == b) {
                LeaderElection.Election e = LeaderElection.controlledShutdown(cluster.replicas(p), isr, working::isEligible,
                        working::inControlledShutdown);
                last = controller.append(new MetadataRecord.PartitionChange(s.withLeader(e.leader(), isr), false));
            } else if (!isr.equals(s.isr())) {
                last = controller.append(new MetadataRecord.PartitionChange(s.withIsr(isr), false, false));
            }
        }
        return last;
    }

    /**
     * A broker became eligible: partitions without a leader get one where they now can. Kafka walks
     * its index of leaderless partitions ({@code BrokersToIsrs.partitionsWithNoLeader}); only those
     * that the broker hosts can have a new outcome (no other replica's eligibility changed), so the
     * model walks the broker's partitions, in ascending order as Kafka's index does.
     */
    void electWhereLeaderless(int brokerId) {
        WorkingImage working = controller.working();
        for (int p : plane.partitionsOf(brokerId)) {
            PartitionState s = working.partition(p);
            if (s != null && !s.hasLeader()) {
                LeaderElection.Election e = LeaderElection.offlinePartition(cluster.replicas(p), s.isr(), working::isEligible,
                        cluster.uncleanLeaderElectionEnabled(p));
                if (e.elected()) {
                    IntList isr = LeaderElection.isrAfterElection(e, s.isr(), working::isEligible);
                    controller.append(new MetadataRecord.PartitionChange(s.withLeader(e.leader(), isr), e.unclean()));
                }
            }
        }
    }

    /**
     * Creates the initial partitions once every broker of the cluster description is registered and
     * unfenced, in CreateTopics operations of at most {@value QuorumController#MAX_RECORDS_PER_BATCH}
     * partitions, one controller event each.
     */
    void maybeCreatePartitions() {
        WorkingImage working = controller.working();
        if (working.initialPartitionsCreated() == plane.initialPartitionCount()) {
            return;
        }
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            if (!working.isActive(b.id())) {
                return;
            }
        }
        int created = 0;
        for (; createCursor < cluster.partitionCount() && created < QuorumController.MAX_RECORDS_PER_BATCH; createCursor++) {
            int p = createCursor;
            if (cluster.createdAtRuntime(p) || working.partition(p) != null) {
                continue; // created at runtime by CreateTopics (onCreateTopics), or already created
            }
            int[] replicas = cluster.replicas(p);
            controller.append(new MetadataRecord.PartitionCreation(PartitionState.of(p, replicas[0], 0, replicas, 0)));
            created++;
        }
        if (createCursor < cluster.partitionCount()) {
            controller.event(this::maybeCreatePartitions); // the next CreateTopics operation
        }
    }

    /**
     * CreateTopics (ReplicationControlManager.createTopic with a manual assignment): a TopicRecord
     * and one PartitionRecord per partition, leader = the first unfenced replica, ISR = the unfenced
     * replicas (in assignment order), applied to the working image at once and answered when the
     * batch commits. A partition whose replicas are all fenced fails the request with
     * INVALID_REPLICA_ASSIGNMENT (the admin retries). A non-active controller answers NOT_CONTROLLER
     * naming the Raft leader it knows.
     */
    void onCreateTopics(NodeId from, dev.faultline.core.control.AdminMessage.CreateTopicsRequest r) {
        if (!controller.isActive()) {
            int known = controller.knownLeader();
            String hint = known >= 0 && plane.isVoter(known) ? plane.peers()[known].name() : null;
            controller.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(), r.topic(),
                    Errors.NOT_CONTROLLER, hint));
            return;
        }
        WorkingImage working = controller.working();
        int first = cluster.topicFirstPartition(r.topic());
        int count = cluster.topics().get(cluster.topicOf(first)).partitions();
        if (!cluster.createdAtRuntime(r.topic()) || working.partition(first) != null) {
            controller.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(), r.topic(),
                    Errors.TOPIC_ALREADY_EXISTS, null));
            return;
        }
        PartitionState[] states = new PartitionState[count];
        for (int i = 0; i < count; i++) {
            int p = first + i;
            IntArrayList isr = new IntArrayList();
            for (int replica : cluster.replicas(p)) {
                if (working.isActive(replica)) {
                    isr.add(replica);
                }
            }
            if (isr.isEmpty()) {
                controller.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(), r.topic(),
                        Errors.INVALID_REPLICA_ASSIGNMENT, null));
                return;
            }
            states[i] = PartitionState.of(p, isr.getInt(0), 0, isr.toIntArray(), 0);
        }
        long offset = controller.append(new MetadataRecord.TopicCreation(r.topic()));
        for (PartitionState s : states) {
            offset = controller.append(new MetadataRecord.PartitionCreation(s));
        }
        ctx.trace("controller", "create topic " + r.topic() + " (" + count + " partitions) up to offset " + offset);
        controller.replyWhenCommitted(offset, from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(),
                r.topic(), Errors.NONE, null));
    }

    /** AlterPartition with KIP-497/841/903 validation; answered when the change commits. */
    void onAlterPartition(NodeId from, AlterPartitionMessage m) {
        AlterPartitionRequest r = m.request();
        if (!controller.isActive()) {
            controller.send(from, new AlterPartitionReply(new AlterPartitionResult(r.partition(), Errors.NOT_CONTROLLER, null),
                    controller.knownLeader(), m.sendId()));
            return;
        }
        WorkingImage working = controller.working();
        PartitionState s = working.partition(r.partition());
        Errors error = validate(r, s);
        if (error != Errors.NONE) {
            controller.send(from, new AlterPartitionReply(new AlterPartitionResult(r.partition(), error, s), -1, m.sendId()));
            return;
        }
        plane.checks().onIsrChangeAccepted(r, working);
        PartitionState next = s.withIsr(r.newIsr());
        long offset = controller.append(new MetadataRecord.PartitionChange(next, false, false));
        controller.replyWhenCommitted(offset, from, new AlterPartitionReply(new AlterPartitionResult(r.partition(), Errors.NONE, next), -1, m.sendId()));
    }

    private Errors validate(AlterPartitionRequest r, PartitionState s) {
        WorkingImage working = controller.working();
        if (s == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (working.brokerEpoch(r.leaderId()) != r.leaderBrokerEpoch()) {
            return Errors.STALE_BROKER_EPOCH;
        }
        if (r.leaderEpoch() != s.leaderEpoch() || r.leaderId() != s.leader()) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        if (r.partitionEpoch() != s.partitionEpoch()) {
            return Errors.INVALID_UPDATE_VERSION;
        }
        if (r.newIsr().isEmpty() || !r.newIsr().contains(s.leader())) {
            return Errors.INVALID_UPDATE_VERSION;
        }
        for (int i = 0; i < r.newIsr().size(); i++) {
            int m = r.newIsr().getInt(i);
            if (s.inIsr(m)) {
                continue;
            }
            if (!cluster.isReplica(r.partition(), m) || !working.isEligible(m)) {
                return Errors.INELIGIBLE_REPLICA; // KIP-841: fenced, shutting-down (or unknown) replicas never join
            }
            if (!plane.settings().isrIgnoresBrokerEpoch && working.brokerEpoch(m) != r.newIsrBrokerEpochs().getLong(i)) {
                return Errors.INELIGIBLE_REPLICA; // KIP-903: the follower fetched with another incarnation's epoch
            }
        }
        return Errors.NONE;
    }

    /** One pass over the assignment: each broker's partitions, ascending (O(replicas)). */
    static int[][] partitionsByBroker(ClusterSpec cluster) {
        int[] count = new int[cluster.maxBrokerId() + 1];
        int partitions = cluster.partitionCount();
        for (int p = 0; p < partitions; p++) {
            for (int i = 0, rf = cluster.replicationFactor(p); i < rf; i++) {
                count[cluster.replica(p, i)]++;
            }
        }
        int[][] out = new int[count.length][];
        for (int b = 0; b < count.length; b++) {
            out[b] = new int[count[b]];
        }
        int[] fill = new int[count.length];
        for (int p = 0; p < partitions; p++) {
            for (int i = 0, rf = cluster.replicationFactor(p); i < rf; i++) {
                int b = cluster.replica(p, i);
                out[b][fill[b]++] = p;
            }
        }
        return out;
    }
}

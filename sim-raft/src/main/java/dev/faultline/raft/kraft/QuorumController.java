package dev.faultline.raft.kraft;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.kraft.ControllerMessage.AlterPartitionMessage;
import dev.faultline.raft.kraft.ControllerMessage.AlterPartitionReply;
import dev.faultline.raft.kraft.ControllerMessage.BrokerHeartbeatRequest;
import dev.faultline.raft.kraft.ControllerMessage.BrokerHeartbeatResponse;
import dev.faultline.raft.kraft.ControllerMessage.BrokerRegistrationRequest;
import dev.faultline.raft.kraft.ControllerMessage.BrokerRegistrationResponse;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.RaftListener;
import dev.faultline.raft.quorum.RaftNode;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Kafka's {@code QuorumController} on top of a Raft voter (model-spec §C.10, §C.12, §C.14). Every
 * voter replays committed records into its committed image (hot standby). The Raft leader claims
 * once its listener has consumed past {@code epochStartOffset}; the active controller decides from
 * a working image (committed plus its own pending records, applied at once: pipelining), answers
 * requests only when their records commit, and on losing leadership drops the working image
 * (renounce: back to the committed image) and its pending answers.
 *
 * <p>Simplifications: one event queue (the node's own); no leader balancing
 * or unclean-election sweep, no KIP-966; topics are created, with the preferred replica as leader,
 * once every broker of the cluster description has registered and been unfenced (an operator
 * creating topics after startup).
 */
final class QuorumController implements RaftListener {
    private final KRaftControlPlane plane;
    private final NodeContext ctx;
    private final RaftNode raft;
    private final ClusterSpec cluster;
    private final MetadataImage committed;
    private WorkingImage working;
    private boolean active;
    private int claimEpoch = -1;
    private long[] lastHeartbeatNanos;
    /** Per broker, the {@code currentMetadataOffset} of its last heartbeat to this active controller (-1 none). */
    private final long[] lastMetadataOffset;
    /** Per broker in controlled shutdown, the offset of the last record that moved it out (-1 unknown). */
    private final long[] controlledShutdownOffset;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long noOpSequence;

    private record Pending(long offset, NodeId to, Message reply) {
    }

    QuorumController(KRaftControlPlane plane, NodeContext ctx, RaftNode raft) {
        this.plane = plane;
        this.ctx = ctx;
        this.raft = raft;
        this.cluster = plane.cluster();
        this.committed = new MetadataImage(cluster);
        this.lastHeartbeatNanos = new long[cluster.maxBrokerId() + 1];
        this.lastMetadataOffset = new long[cluster.maxBrokerId() + 1];
        this.controlledShutdownOffset = new long[cluster.maxBrokerId() + 1];
    }

    boolean isActive() {
        return active;
    }

    int claimEpoch() {
        return claimEpoch;
    }

    // ------------------------------------------------------------------ Raft listener

    @Override
    public void onCommit(long offset, LogEntry entry) {
        if (entry.payload() instanceof MetadataRecord) {
            committed.apply(offset, (MetadataRecord) entry.payload());
            ctx.work(plane.recordCostNanos());
            if (working != null) {
                working.prune(offset + 1);
            }
        }
    }

    @Override
    public void onCommitsDone(long appliedOffset) {
        while (!pending.isEmpty() && pending.peekFirst().offset < appliedOffset) {
            Pending p = pending.pollFirst();
            ctx.send(p.to, p.reply);
        }
        maybeClaim();
    }

    @Override
    public void onStateChange(EpochState from, EpochState to) {
        if (active && !(to instanceof LeaderState && to.epoch() == claimEpoch)) {
            renounce();
        }
        maybeClaim();
    }

    /** Claim once the Raft leader's listener has consumed past its epoch start (the LeaderChange is committed). */
    private void maybeClaim() {
        if (active || !(raft.state() instanceof LeaderState) || raft.appliedOffset() <= raft.epochStartOffset()) {
            return;
        }
        active = true;
        claimEpoch = raft.epoch();
        working = new WorkingImage(committed);
        long now = ctx.now();
        // A fresh BrokerHeartbeatManager: every registered broker gets a new session.
        Arrays.fill(lastHeartbeatNanos, now);
        Arrays.fill(lastMetadataOffset, -1);
        Arrays.fill(controlledShutdownOffset, -1);
        ctx.trace("controller", "claim epoch " + claimEpoch);
        plane.onClaim(ctx.self(), claimEpoch, raft.appliedOffset(), raft.epochStartOffset());
        ctx.setTimer(ControllerTimer.NOOP, plane.idleIntervalNanos());
        scheduleFenceCheck();
        maybeCreatePartitions();
    }

    private void renounce() {
        ctx.trace("controller", "renounce epoch " + claimEpoch);
        active = false;
        working = null;
        for (Pending p : pending) {
            // The admin's pending CreateTopics fails with NOT_CONTROLLER (its records may still commit
            // under the next leader: the retry then finds the topic).
            if (p.reply instanceof dev.faultline.core.control.AdminMessage.CreateTopicsResponse r) {
                int known = raft.knownLeader();
                String hint = known >= 0 && plane.isVoter(known) && known != ctx.self().index() ? plane.peers()[known].name() : null;
                ctx.send(p.to, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(), r.topic(),
                        Errors.NOT_CONTROLLER, hint));
            }
        }
        pending.clear();
        ctx.cancelTimer(ControllerTimer.NOOP);
        ctx.cancelTimer(ControllerTimer.FENCE_CHECK);
    }

    private long append(MetadataRecord record) {
        long offset = raft.appendAsLeader(record.contentHash(), record);
        if (offset < 0) {
            throw new IllegalStateException("active controller " + ctx.self() + " is not the Raft leader");
        }
        working.apply(offset, record);
        ctx.work(plane.recordCostNanos());
        return offset;
    }

    // ------------------------------------------------------------------ timers

    boolean onTimer(Object tag) {
        if (!(tag instanceof ControllerTimer)) {
            return false;
        }
        if (!active) {
            return true;
        }
        if (tag == ControllerTimer.NOOP) {
            append(new MetadataRecord.NoOp(++noOpSequence));
            ctx.setTimer(ControllerTimer.NOOP, plane.idleIntervalNanos());
        } else {
            maybeFenceOneStaleBroker();
        }
        return true;
    }

    private void scheduleFenceCheck() {
        long earliest = Long.MAX_VALUE;
        for (int b = 0; b < lastHeartbeatNanos.length; b++) {
            if (working.isActive(b)) {
                earliest = Math.min(earliest, lastHeartbeatNanos[b] + plane.sessionTimeoutNanos());
            }
        }
        if (earliest != Long.MAX_VALUE) {
            ctx.setTimer(ControllerTimer.FENCE_CHECK, Math.max(0, earliest - ctx.now()));
        } else {
            ctx.cancelTimer(ControllerTimer.FENCE_CHECK);
        }
    }

    /** Fences one broker whose session expired (KIP-631), then reschedules. */
    private void maybeFenceOneStaleBroker() {
        long now = ctx.now();
        for (int b = 0; b < lastHeartbeatNanos.length; b++) {
            if (working.isActive(b) && now - lastHeartbeatNanos[b] >= plane.sessionTimeoutNanos()) {
                plane.onFenceDecision(b, lastHeartbeatNanos[b], now);
                fence(b, "broker-" + b + " session expired");
                break;
            }
        }
        scheduleFenceCheck();
    }

    /** Fence record plus a PartitionChange for every partition whose ISR holds the broker. */
    private void fence(int brokerId, String cause) {
        append(new MetadataRecord.BrokerFencing(brokerId, working.brokerEpoch(brokerId), true));
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
                        plane.electFencedLeader() ? working::isRegistered : working::isEligible, cluster.uncleanLeaderElectionEnabled(p));
                IntList newIsr = e.elected() ? LeaderElection.isrAfterElection(e, isr, working::isEligible) : isr;
                append(new MetadataRecord.PartitionChange(s.withLeader(e.leader(), newIsr), e.unclean()));
            } else {
                append(new MetadataRecord.PartitionChange(s.withIsr(LeaderElection.isrWithout(s.isr(), brokerId)), false));
            }
        }
    }

    // ------------------------------------------------------------------ requests

    boolean onMessage(NodeId from, Message message) {
        if (message instanceof dev.faultline.core.control.AdminMessage.CreateTopicsRequest r) {
            onCreateTopics(from, r);
            return true;
        }
        if (!(message instanceof ControllerMessage)) {
            return false;
        }
        if (message instanceof BrokerRegistrationRequest) {
            onRegistration(from, (BrokerRegistrationRequest) message);
        } else if (message instanceof BrokerHeartbeatRequest) {
            onHeartbeat(from, (BrokerHeartbeatRequest) message);
        } else if (message instanceof AlterPartitionMessage) {
            onAlterPartition(from, ((AlterPartitionMessage) message).request());
        }
        return true;
    }

    private void onRegistration(NodeId from, BrokerRegistrationRequest r) {
        if (!active) {
            ctx.send(from, new BrokerRegistrationResponse(Errors.NOT_CONTROLLER, -1, raft.knownLeader()));
            return;
        }
        int b = r.brokerId();
        if (working.isRegistered(b) && working.incarnation(b) == r.incarnationId()) {
            long epoch = working.brokerEpoch(b);
            Message reply = new BrokerRegistrationResponse(Errors.NONE, epoch, -1);
            if (epoch < raft.appliedOffset()) {
                ctx.send(from, reply);
            } else {
                pending.addLast(new Pending(epoch, from, reply));
            }
            return;
        }
        if (working.isActive(b)) {
            // A new incarnation replaces an unfenced one: fence the old registration's leadership first.
            fence(b, "broker-" + b + " re-registered");
        }
        long epoch = append(new MetadataRecord.RegisterBroker(b, r.incarnationId()));
        lastHeartbeatNanos[b] = ctx.now();
        pending.addLast(new Pending(epoch, from, new BrokerRegistrationResponse(Errors.NONE, epoch, -1)));
    }

    private void onHeartbeat(NodeId from, BrokerHeartbeatRequest r) {
        if (!active) {
            ctx.send(from, new BrokerHeartbeatResponse(Errors.NOT_CONTROLLER, true, raft.knownLeader()));
            return;
        }
        int b = r.brokerId();
        if (working.brokerEpoch(b) != r.brokerEpoch()) {
            ctx.send(from, new BrokerHeartbeatResponse(Errors.STALE_BROKER_EPOCH, true, -1));
            return;
        }
        lastHeartbeatNanos[b] = ctx.now();
        lastMetadataOffset[b] = r.currentMetadataOffset();
        plane.onHeartbeatArrived(b);
        if (r.wantShutDown()) {
            onShutdownHeartbeat(from, r);
            return;
        }
        if (working.isFenced(b) && r.currentMetadataOffset() > working.brokerEpoch(b)) {
            // Caught up past its own registration: unfence (BrokerHeartbeatManager.calculateNextBrokerState).
            append(new MetadataRecord.BrokerFencing(b, r.brokerEpoch(), false));
            electWhereLeaderless(b);
            maybeCreatePartitions();
            scheduleFenceCheck();
        }
        ctx.send(from, new BrokerHeartbeatResponse(Errors.NONE, working.isFenced(b), -1));
    }

    // ------------------------------------------------------------------ controlled shutdown (§C.12 step 5)

    /**
     * A heartbeat with {@code wantShutDown} ({@code BrokerHeartbeatManager.calculateNextBrokerState}).
     * A fenced broker is told to shut down at once. An unfenced one enters CONTROLLED_SHUTDOWN the
     * first time: the in-controlled-shutdown registration change, then a PartitionChange for every
     * partition whose ISR holds it (out of the ISR unless it is the last member; a new leader,
     * chosen among eligible replicas, where it led: none if nobody else is eligible). It may shut
     * down (SHUTDOWN_NOW: the controller fences it) once it leads nothing and every other active
     * broker's last heartbeat reported a metadata offset past its controlled-shutdown offset. The
     * answer goes out when the records written for it commit.
     */
    private void onShutdownHeartbeat(NodeId from, BrokerHeartbeatRequest r) {
        int b = r.brokerId();
        if (working.isFenced(b)) {
            ctx.send(from, new BrokerHeartbeatResponse(Errors.NONE, true, -1, true));
            return;
        }
        long last = -1;
        if (!working.inControlledShutdown(b)) {
            ctx.trace("controller", "broker-" + b + " enters controlled shutdown");
            last = append(new MetadataRecord.BrokerControlledShutdown(b, r.brokerEpoch()));
            for (int p : plane.partitionsOf(b)) {
                PartitionState s = working.partition(p);
                if (s == null || !s.inIsr(b)) {
                    continue;
                }
                IntList isr = LeaderElection.isrWithout(s.isr(), b);
                if (s.leader() == b) {
                    LeaderElection.Election e = LeaderElection.controlledShutdown(cluster.replicas(p), isr, working::isEligible,
                            working::inControlledShutdown);
                    last = append(new MetadataRecord.PartitionChange(s.withLeader(e.leader(), isr), false));
                } else if (!isr.equals(s.isr())) {
                    last = append(new MetadataRecord.PartitionChange(s.withIsr(isr), false));
                }
            }
            controlledShutdownOffset[b] = last;
        } else if (controlledShutdownOffset[b] < 0) {
            // Entered under an earlier controller: wait for the others to replay what this one holds.
            controlledShutdownOffset[b] = raft.appliedOffset() - 1;
        }
        boolean shutDownNow = leadsNothing(b) && othersReplayedPast(b, controlledShutdownOffset[b]);
        if (shutDownNow) {
            ctx.trace("controller", "broker-" + b + " may shut down now");
            last = append(new MetadataRecord.BrokerFencing(b, r.brokerEpoch(), true));
            scheduleFenceCheck();
        }
        Message reply = new BrokerHeartbeatResponse(Errors.NONE, working.isFenced(b), -1, shutDownNow);
        if (last >= raft.appliedOffset()) {
            pending.addLast(new Pending(last, from, reply));
        } else {
            ctx.send(from, reply);
        }
    }

    private boolean leadsNothing(int b) {
        return working.leaderCount(b) == 0;
    }

    /** Every other active broker not in controlled shutdown reported a metadata offset past {@code offset}. */
    private boolean othersReplayedPast(int b, long offset) {
        for (int o = 0; o < lastMetadataOffset.length; o++) {
            if (o != b && working.isEligible(o) && lastMetadataOffset[o] <= offset) {
                return false;
            }
        }
        return true;
    }

    /**
     * A broker became eligible: partitions without a leader get one where they now can. Kafka walks
     * its index of leaderless partitions ({@code BrokersToIsrs.partitionsWithNoLeader}); only those
     * that the broker hosts can have a new outcome (no other replica's eligibility changed), so the
     * model walks the broker's partitions, in ascending order as Kafka's index does.
     */
    private void electWhereLeaderless(int brokerId) {
        for (int p : plane.partitionsOf(brokerId)) {
            PartitionState s = working.partition(p);
            if (s != null && !s.hasLeader()) {
                LeaderElection.Election e = LeaderElection.offlinePartition(cluster.replicas(p), s.isr(), working::isEligible,
                        cluster.uncleanLeaderElectionEnabled(p));
                if (e.elected()) {
                    IntList isr = LeaderElection.isrAfterElection(e, s.isr(), working::isEligible);
                    append(new MetadataRecord.PartitionChange(s.withLeader(e.leader(), isr), e.unclean()));
                }
            }
        }
    }

    private void maybeCreatePartitions() {
        if (working.initialPartitionsCreated() == plane.initialPartitionCount()) {
            return;
        }
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            if (!working.isActive(b.id())) {
                return;
            }
        }
        for (int p = 0; p < cluster.partitionCount(); p++) {
            if (cluster.createdAtRuntime(p) || working.partition(p) != null) {
                continue; // created at runtime by CreateTopics (onCreateTopics), or already created
            }
            int[] replicas = cluster.replicas(p);
            append(new MetadataRecord.PartitionCreation(PartitionState.of(p, replicas[0], 0, replicas, 0)));
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
    private void onCreateTopics(NodeId from, dev.faultline.core.control.AdminMessage.CreateTopicsRequest r) {
        if (!active) {
            int known = raft.knownLeader();
            String hint = known >= 0 && plane.isVoter(known) ? plane.peers()[known].name() : null;
            ctx.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(), r.topic(),
                    Errors.NOT_CONTROLLER, hint));
            return;
        }
        int first = cluster.topicFirstPartition(r.topic());
        int count = cluster.topics().get(cluster.topicOf(first)).partitions();
        if (!cluster.createdAtRuntime(r.topic()) || working.partition(first) != null) {
            ctx.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(), r.topic(),
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
                ctx.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(), r.topic(),
                        Errors.INVALID_REPLICA_ASSIGNMENT, null));
                return;
            }
            states[i] = PartitionState.of(p, isr.getInt(0), 0, isr.toIntArray(), 0);
        }
        long offset = append(new MetadataRecord.TopicCreation(r.topic()));
        for (PartitionState s : states) {
            offset = append(new MetadataRecord.PartitionCreation(s));
        }
        ctx.trace("controller", "create topic " + r.topic() + " (" + count + " partitions) up to offset " + offset);
        pending.addLast(new Pending(offset, from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(),
                r.topic(), Errors.NONE, null)));
    }

    /** AlterPartition with KIP-497/841/903 validation; answered when the change commits. */
    private void onAlterPartition(NodeId from, AlterPartitionRequest r) {
        if (!active) {
            ctx.send(from, new AlterPartitionReply(new AlterPartitionResult(r.partition(), Errors.NOT_CONTROLLER, null),
                    raft.knownLeader()));
            return;
        }
        PartitionState s = working.partition(r.partition());
        Errors error = validate(r, s);
        if (error != Errors.NONE) {
            ctx.send(from, new AlterPartitionReply(new AlterPartitionResult(r.partition(), error, s), -1));
            return;
        }
        IntList added = new IntArrayList();
        for (int i = 0; i < r.newIsr().size(); i++) {
            if (!s.inIsr(r.newIsr().getInt(i))) {
                added.add(r.newIsr().getInt(i));
            }
        }
        plane.onIsrChangeAccepted(r, working);
        PartitionState next = s.withIsr(r.newIsr());
        long offset = append(new MetadataRecord.PartitionChange(next, false));
        pending.addLast(new Pending(offset, from, new AlterPartitionReply(new AlterPartitionResult(r.partition(), Errors.NONE, next), -1)));
    }

    private Errors validate(AlterPartitionRequest r, PartitionState s) {
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
            if (!plane.isrIgnoresBrokerEpoch() && working.brokerEpoch(m) != r.newIsrBrokerEpochs().getLong(i)) {
                return Errors.INELIGIBLE_REPLICA; // KIP-903: the follower fetched with another incarnation's epoch
            }
        }
        return Errors.NONE;
    }
}

package dev.faultline.core.kafka;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.classify.Classification;
import dev.faultline.core.check.classify.Classifier;
import dev.faultline.core.check.classify.Evidence;
import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlHistory;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongLinkedOpenHashSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The data-plane safety invariants DP-S1 to DP-S7 (docs/invariants.md), checked incrementally after
 * every event from what the brokers report through {@link ReplicaObserver} and what the clients
 * record in the {@link KafkaHistory}. Each invariant is its own id and can be switched off. Losses
 * of acknowledged records (DP-S1) are judged by {@link AckedLossJudge}
 * (docs/architecture.md#ground-truth-and-checkers). What may excuse a DP-S1 or DP-S3 case is stated
 * as {@link Evidence} and classified by the {@link Classifier} (docs/invariants.md#classification):
 * a BUG stops the run; a HAZARD or EXPECTED case is recorded through
 * {@link CheckContext#excused} and the run goes on (unless {@code failOnExpectedLoss}, for DP-S1).
 *
 * <p>Every exemption is scoped to what it excuses. DP-S3 excuses a truncation below a replica's
 * high watermark only when that high watermark was learned before an unclean election the replica
 * now follows, or before a power-loss cut of committed records that no other ISR member held, at or
 * below the truncation point (the replica has not fetched successfully since). DP-S5 excuses an ISR
 * member that the leader last saw past the offset only while a power-loss cut (or a lost disk) of
 * that member to at or below the offset is newer than the leader's view of it. DP-S6 excuses a
 * replica that lost records that way after it sent the fetch the leader proposed adding it on, when
 * that fetch showed it caught up (the expansion commits while the old registration is still current).
 *
 * <p>Reads: replica state through the brokers' read-only views (the disk when a broker is down), the
 * control plane's authoritative partition states, the control history (unclean elections) and the
 * client history. Never messages.
 */
public final class DataPlaneChecker implements ReplicaObserver {
    private final Simulation sim;
    private final ClusterSpec cluster;
    private final ControlPlane controlPlane;
    private final ControlHistory controlHistory;
    private final KafkaHistory history;
    private final Set<String> disabled;
    private final boolean modernTruncation;
    private final boolean checkS2;
    private final boolean checkS4;
    /** Broker node ids by broker id, looked up once (the checks run after every event). */
    private final NodeId[] brokerNodes;

    private final LongLinkedOpenHashSet touched = new LongLinkedOpenHashSet();
    private final LongLinkedOpenHashSet newLeaders = new LongLinkedOpenHashSet();
    /** Violations found during the event, reported after it: the first that stops the run, and every excused one. */
    private final List<Pending> pending = new ArrayList<>();
    private final Long2LongOpenHashMap agreedUpTo = new Long2LongOpenHashMap();
    private final Long2LongOpenHashMap epochsCheckedUpTo = new Long2LongOpenHashMap();
    /**
     * DP-S3's power-loss exemption, per partition: each cut of committed records from an ISR member
     * that no other ISR member held, as {lowest offset cut, leader epoch at the cut, 0}, and each
     * takeover by a replica cut since it last fetched, as {its cut point, its leader epoch, 1 or 2
     * (2: it was the sole ISR member)}.
     */
    private final Int2ObjectOpenHashMap<List<long[]>> powerLossHazards = new Int2ObjectOpenHashMap<>();
    /**
     * Per replica of a partition that had an unclean election or a power-loss hazard: the leader
     * epoch in which it last fetched successfully (or led); DP-S3 judges truncations against it.
     */
    private final Long2IntOpenHashMap validatedEpoch = new Long2IntOpenHashMap();
    /**
     * DP-S5's exemption, per replica: its last power-loss cut as {end offset it was cut to, the
     * leader broker, that leader's epoch, the leader's view of the replica's log end at the cut}.
     * Excuses the replica only while that leader, in that epoch, has not seen it fetch since.
     */
    private final Long2ObjectOpenHashMap<long[]> lastCut = new Long2ObjectOpenHashMap<>();
    /**
     * Per replica a power loss cut and that has not fetched successfully (or led) since: the lowest
     * end offset it was cut to. Such a replica taking over as leader is KIP-966's hazard (a broker
     * that lost committed records stays eligible): a DP-S3 power-loss hazard from its cut point.
     */
    private final Long2LongOpenHashMap cutSinceValidated = new Long2LongOpenHashMap();
    /** Per broker: power-loss cuts so far (with disk wipes, what DP-S6 compares before and after a proposal). */
    private final Int2LongOpenHashMap powerLossCuts = new Int2LongOpenHashMap();
    /**
     * Per replica: {@link #losses} before the incarnation that sent the fetch a leader last proposed
     * adding it to the ISR on (the fetch, not the proposal: a loss while that fetch was on its way
     * came after it).
     */
    private final Long2LongOpenHashMap lossesAtProposal = new Long2LongOpenHashMap();
    /**
     * Per broker, its latest two processes (incarnations) seen running, and {@link #losses} when each
     * started. A process loses nothing while it runs (a power loss or a lost disk stops it first), so
     * its start count is the count at any fetch it sent. Refreshed when a process starts or stops.
     */
    private KafkaBroker[] latestProcess = new KafkaBroker[0];
    private KafkaBroker[] previousProcess = new KafkaBroker[0];
    private long[] lossesAtLatestStart = new long[0];
    private long[] lossesAtPreviousStart = new long[0];
    private long lifecycleSeen = -1;
    /** Per replica: the broker epoch the leader proposed it with. */
    private final Long2LongOpenHashMap epochAtProposal = new Long2LongOpenHashMap();
    /** Replicas whose last proposal was based on a fetch that showed them caught up (the leader's HW and epoch start then). */
    private final it.unimi.dsi.fastutil.longs.LongOpenHashSet proposedCaughtUp = new it.unimi.dsi.fastutil.longs.LongOpenHashSet();
    private final AckedLossJudge judge;

    DataPlaneChecker(Simulation sim, ClusterSpec cluster, ControlPlane controlPlane, ControlHistory controlHistory, KafkaHistory history,
                     Set<String> disabled, boolean failOnExpectedLoss) {
        this.sim = sim;
        this.cluster = cluster;
        this.controlPlane = controlPlane;
        this.controlHistory = controlHistory;
        this.history = history;
        this.disabled = new TreeSet<>(disabled);
        this.modernTruncation = !cluster.config().getBoolean("replication.truncateToHighWatermark")
                && !cluster.config().getBoolean("replication.singleRoundEpochLookup");
        this.checkS2 = !this.disabled.contains("DP-S2");
        this.checkS4 = !this.disabled.contains("DP-S4");
        this.brokerNodes = new NodeId[cluster.maxBrokerId() + 1];
        agreedUpTo.defaultReturnValue(0);
        epochsCheckedUpTo.defaultReturnValue(0);
        validatedEpoch.defaultReturnValue(-1);
        this.judge = new AckedLossJudge(this, sim, cluster, controlHistory, history, failOnExpectedLoss);
    }

    /** The invariants to register, one per id. */
    List<Invariant> invariants() {
        List<Invariant> out = new ArrayList<>();
        out.add(new Checks());
        return out;
    }

    /** Every acks=all loss seen so far. */
    public List<DataLoss> losses() {
        return Collections.unmodifiableList(judge.losses());
    }

    private static long key(int broker, int partition) {
        return ((long) broker << 32) | (partition & 0xFFFFFFFFL);
    }

    private boolean enabled(String id) {
        return !disabled.contains(id);
    }

    void violation(String id, String message, int broker) {
        violation(id, message, List.of(), broker);
    }

    /** A violation with what the checker established about its cause: it stops the run after this event. */
    void violation(String id, String message, List<Evidence> evidence, int broker) {
        if (enabled(id)) {
            pending.add(new Pending(id, message, evidence, broker < 0 ? null : ClusterSpec.brokerNodeName(broker), true));
        }
    }

    /** A case a classification rule counts as HAZARD or EXPECTED: recorded after this event, and the run goes on. */
    void excused(String id, String message, List<Evidence> evidence, int broker) {
        if (enabled(id)) {
            pending.add(new Pending(id, message, evidence, broker < 0 ? null : ClusterSpec.brokerNodeName(broker), false));
        }
    }

    private record Pending(String invariant, String message, List<Evidence> evidence, String node, boolean stops) {
    }

    /** The metadata mode ({@code zookeeper}, {@code kraft}, {@code oracle}) the classification rules read. */
    String mode() {
        return controlPlane.mode();
    }

    /** Whether a power loss or a lost disk cut this replica and it has not fetched successfully (or led) since. */
    boolean cutSinceValidated(int broker, int partition) {
        return cutSinceValidated.containsKey(key(broker, partition));
    }

    KafkaBroker process(int broker) {
        NodeId node = broker >= 0 && broker < brokerNodes.length ? brokerNodes[broker] : null;
        if (node == null) {
            node = sim.node(ClusterSpec.brokerNodeName(broker));
            if (node == null) {
                return null;
            }
            if (broker >= 0 && broker < brokerNodes.length) {
                brokerNodes[broker] = node;
            }
        }
        return sim.process(node, KafkaBroker.class);
    }

    ReplicaLogView logOf(int broker, int partition) {
        KafkaBroker b = process(broker);
        if (b != null) {
            return b.log(partition);
        }
        return ReplicaLogView.onDisk(sim.storage(sim.node(ClusterSpec.brokerNodeName(broker))), cluster, broker, partition);
    }

    // ------------------------------------------------------------------ observer

    @Override
    public void touched(int brokerId, int partition) {
        touched.add(key(brokerId, partition));
    }

    /** Told the partition whenever a broker applies a leadership (KafkaCluster's indexes). */
    private java.util.function.IntConsumer leadershipApplied = p -> { };

    void onLeadershipApplied(java.util.function.IntConsumer listener) {
        this.leadershipApplied = listener;
    }

    @Override
    public void becameLeader(int brokerId, int partition, int leaderEpoch) {
        newLeaders.add(key(brokerId, partition));
        touched.add(key(brokerId, partition));
        leadershipApplied.accept(partition);
    }

    @Override
    public void truncated(int brokerId, int partition, long oldEndOffset, long newEndOffset, long highWatermarkBefore, String reason) {
        lowerTo(brokerId, partition, newEndOffset);
        // DP-S3: no truncation below the replica's own HW (modern protocol), unless an exemption applies.
        if (modernTruncation && newEndOffset < highWatermarkBefore) {
            String what = "broker-" + brokerId + " truncated " + cluster.partitionName(partition) + " from " + oldEndOffset + " to "
                    + newEndOffset + " below its high watermark " + highWatermarkBefore + " (" + reason + ")";
            TruncationExcuse excuse = truncationExcuse(brokerId, partition, newEndOffset);
            Classification c = excuse == null ? Classifier.NO_RULE : Classifier.classify("DP-S3", excuse.evidence(), mode());
            if (c.violationClass() == ViolationClass.BUG) {
                violation("DP-S3", what, excuse == null ? List.of() : excuse.evidence(), brokerId);
            } else {
                excused("DP-S3", what + " [" + c.violationClass() + ": " + excuse.reason() + "]", excuse.evidence(), brokerId);
            }
        }
    }

    /**
     * DP-S3's exemptions, scoped: the replica's high watermark was learned before an event that
     * legitimately removed committed records from the partition's lineage, and it has not fetched
     * successfully from that new lineage since (its last validated leader epoch is older). Either an
     * unclean election of a leader epoch after that one and at most the epoch it now follows, or a
     * power-loss cut of committed records that no other ISR member held, at or below the truncation
     * point. Returns why, or null when nothing excuses the truncation.
     */
    private TruncationExcuse truncationExcuse(int brokerId, int partition, long newEndOffset) {
        KafkaBroker b = process(brokerId);
        int following = b == null ? Integer.MAX_VALUE : b.leaderEpoch(partition);
        int validated = validatedEpoch.get(key(brokerId, partition));
        int[] unclean = controlHistory.uncleanEpochsBetween(partition, validated, following);
        if (unclean.length > 0) {
            return new TruncationExcuse(List.of(Evidence.UNCLEAN_ELECTION), "unclean election of leader epoch " + unclean[0]);
        }
        List<long[]> hazards = powerLossHazards.get(partition);
        if (hazards != null) {
            for (long[] h : hazards) {
                if (h[0] <= newEndOffset && validated <= h[1]) {
                    if (h[2] == 0) {
                        return new TruncationExcuse(List.of(Evidence.LAST_COPY_LOST_OUTSIDE_PROTOCOL),
                                "a power loss or a lost disk cut committed records from offset " + h[0] + " at leader epoch " + h[1]
                                        + " from the ISR's last copy");
                    }
                    List<Evidence> e = h[2] == 2 ? List.of(Evidence.LEADER_LOST_DATA_BEFORE_TAKEOVER, Evidence.SOLE_IN_SYNC_REPLICA)
                            : List.of(Evidence.LEADER_LOST_DATA_BEFORE_TAKEOVER);
                    return new TruncationExcuse(e, "the leader of epoch " + h[1] + " lost records from offset " + h[0]
                            + " to a power loss or a lost disk and took over before fetching again"
                            + (h[2] == 2 ? ", as the ISR's only member" : ""));
                }
            }
        }
        return null;
    }

    /** What DP-S3 found that may excuse a truncation below the high watermark (the {@link Classifier} decides). */
    private record TruncationExcuse(List<Evidence> evidence, String reason) {
    }

    /** A log got shorter: what was checked beyond its new end must be checked again. */
    private void lowerTo(int brokerId, int partition, long newEndOffset) {
        long k = key(brokerId, partition);
        if (agreedUpTo.get(k) > newEndOffset) {
            agreedUpTo.put(k, newEndOffset);
        }
        if (epochsCheckedUpTo.get(k) > newEndOffset) {
            epochsCheckedUpTo.put(k, newEndOffset);
        }
    }

    @Override
    public void powerLossCut(int brokerId, int partition, long oldEndOffset, long newEndOffset) {
        lowerTo(brokerId, partition, newEndOffset);
        long k = key(brokerId, partition);
        powerLossCuts.addTo(brokerId, 1);
        ReplicaLogView log = logOf(brokerId, partition); // still holds the records being cut
        judge.powerLossCut(brokerId, partition, log, oldEndOffset, newEndOffset);
        cutSinceValidated.put(k, cutSinceValidated.containsKey(k) ? Math.min(cutSinceValidated.get(k), newEndOffset) : newEndOffset);
        PartitionState authoritative = controlPlane.partitionStates().state(partition);
        // DP-S5's window: until the leader that saw this replica's log before the cut sees it fetch again.
        KafkaBroker leader = authoritative == null || !authoritative.hasLeader() ? null : process(authoritative.leader());
        if (leader != null && leader.brokerId != brokerId && leader.hosts(partition) && leader.isLeader(partition)) {
            lastCut.put(k, new long[] {newEndOffset, leader.brokerId, leader.leaderEpoch(partition),
                leader.followerLogEndOffset(partition, brokerId)});
        } else {
            lastCut.remove(k);
        }
        // Committed records (below some live replica's high watermark) cut from this replica: whether
        // or not they were acknowledged (min.insync.replicas can refuse the ack of a committed record),
        // a replica that learned that high watermark may later have to truncate below it to follow a
        // clean leader that lost them (the sole ISR member), which DP-S3 exempts from the cut offset
        // on (docs/invariants.md). A replica that is down counts with its checkpointed high
        // watermark: it restarts with it.
        long committed = 0;
        for (int r : cluster.replicas(partition)) {
            if (r == brokerId) {
                continue;
            }
            KafkaBroker other = process(r);
            if (other != null && other.hosts(partition)) {
                committed = Math.max(committed, other.highWatermark(partition));
            } else if (other == null) {
                committed = Math.max(committed, logOf(r, partition).checkpointedHighWatermark());
            }
        }
        long upTo = Math.min(committed, oldEndOffset);
        if (newEndOffset < upTo && authoritative != null && authoritative.inIsr(brokerId)) {
            long lost = firstCommittedCutHeldByNoOtherIsrMember(brokerId, partition, authoritative, log, newEndOffset, upTo);
            if (lost >= 0) {
                powerLossHazards.computeIfAbsent(partition, p -> new ArrayList<>()).add(new long[] {lost, authoritative.leaderEpoch(), 0});
            }
        }
    }

    /** The first offset in {@code [from, to)} of the cut log whose record no other ISR member holds there (page cache included), or -1. */
    private long firstCommittedCutHeldByNoOtherIsrMember(int brokerId, int partition, PartitionState state, ReplicaLogView cut, long from,
                                                         long to) {
        for (long o = from; o < to && o < cut.logEndOffset(); o++) {
            boolean held = false;
            for (int k = 0; k < state.isr().size() && !held; k++) {
                int m = state.isr().getInt(k);
                if (m != brokerId) {
                    ReplicaLogView other = logOf(m, partition);
                    held = o < other.logEndOffset() && other.recordId(o) == cut.recordId(o);
                }
            }
            if (!held) {
                return o;
            }
        }
        return -1;
    }

    /** The producer received the acks=all success for {@code recordId}: it is in the history now. */
    long ackReceived(int partition, long recordId, long receivedAt) {
        return judge.ackReceived(partition, recordId, receivedAt);
    }

    @Override
    public void ackAllSent(int brokerId, int partition, long baseOffset, long lastOffset) {
        KafkaBroker leader = process(brokerId);
        if (leader == null) {
            return;
        }
        judge.ackSent(partition, leader.log(partition), leader.leaderEpoch(partition), baseOffset, lastOffset);
        int[] maximal = leader.maximalIsr(partition);
        if (maximal.length < cluster.minInsyncReplicas(partition)) {
            violation("DP-S5", "acks=all success for " + cluster.partitionName(partition) + " offset " + lastOffset + " with maximal ISR "
                    + java.util.Arrays.toString(maximal) + " below min.insync.replicas " + cluster.minInsyncReplicas(partition), brokerId);
        }
        for (int member : maximal) {
            KafkaBroker m = process(member);
            if (m == null) {
                continue; // a member that died meanwhile: its state is checked by DP-S1 when it matters
            }
            long leo = m.logEndOffsetOf(partition);
            if (leo <= lastOffset && !lostOutsideProtocol(leader, member, partition, lastOffset)) {
                violation("DP-S5", "acks=all success for " + cluster.partitionName(partition) + " offset " + lastOffset + " but ISR member broker-"
                        + member + " has log end offset " + leo, brokerId);
            }
        }
    }

    /**
     * DP-S5 reads the leader's replica state (docs/invariants.md): a member whose log the leader
     * last saw past {@code lastOffset}, and which a power loss (or a lost disk, reported as a cut to
     * 0) has since cut to at or below {@code lastOffset}, is not a leader error while that leader, in
     * that epoch, has not seen the member fetch since the cut, or has seen only a fetch that the
     * member sent before it: no leader can know of the loss before the member's next fetch. Any other
     * shortfall is still reported, an older cut included.
     */
    private boolean lostOutsideProtocol(KafkaBroker leader, int member, int partition, long lastOffset) {
        long seen = leader.followerLogEndOffset(partition, member);
        if (seen <= lastOffset) {
            return false;
        }
        long[] cut = lastCut.get(key(member, partition));
        if (cut != null && cut[0] <= lastOffset && cut[1] == leader.brokerId && cut[2] == leader.leaderEpoch(partition) && cut[3] == seen) {
            return true;
        }
        // The leader's view came from a fetch sent by an incarnation of the member that lost records
        // after sending it (the fetch was on its way when the power loss or lost disk came): the
        // leader cannot know either (fuzz kraft seed 101162, a fetch held 2.3 s by a delay fault).
        trackIncarnations();
        return losses(member) > lossesBeforeIncarnation(member, leader.followerBrokerEpoch(partition, member));
    }

    @Override
    public void isrExpansionProposed(int brokerId, int partition, int replica, long replicaBrokerEpoch, long replicaFetchOffset) {
        trackIncarnations();
        long k = key(replica, partition);
        lossesAtProposal.put(k, lossesBeforeIncarnation(replica, replicaBrokerEpoch));
        epochAtProposal.put(k, replicaBrokerEpoch);
        // Whether that fetch showed the replica caught up, judged as the leader had to: against its high
        // watermark and epoch start at the proposal.
        KafkaBroker leader = process(brokerId);
        boolean caughtUp = false;
        if (leader != null) {
            long[][] cache = leader.log(partition).epochCache();
            long epochStart = cache.length == 0 ? 0 : cache[cache.length - 1][1];
            caughtUp = replicaFetchOffset >= Math.max(leader.highWatermark(partition), epochStart);
        }
        if (caughtUp) {
            proposedCaughtUp.add(k);
        } else {
            proposedCaughtUp.remove(k);
        }
    }

    /**
     * {@link #losses} of {@code broker} before the incarnation that registered with {@code brokerEpoch}
     * started (that incarnation sent the fetch a leader acted on): one of its latest two processes,
     * matched by broker epoch. Without a match (an unknown or older epoch) the count now, so that
     * only later losses count, as before.
     */
    private long lossesBeforeIncarnation(int broker, long brokerEpoch) {
        if (brokerEpoch < 0 || broker >= latestProcess.length) {
            return losses(broker);
        }
        if (latestProcess[broker] != null && latestProcess[broker].brokerEpoch() == brokerEpoch) {
            return lossesAtLatestStart[broker];
        }
        if (previousProcess[broker] != null && previousProcess[broker].brokerEpoch() == brokerEpoch) {
            return lossesAtPreviousStart[broker];
        }
        return losses(broker);
    }

    /** Notes each broker's newly started process and the losses before it; O(1) unless a process started or stopped. */
    private void trackIncarnations() {
        if (sim.lifecycleVersion() == lifecycleSeen) {
            return;
        }
        lifecycleSeen = sim.lifecycleVersion();
        int n = cluster.maxBrokerId() + 1;
        if (latestProcess.length < n) {
            latestProcess = java.util.Arrays.copyOf(latestProcess, n);
            previousProcess = java.util.Arrays.copyOf(previousProcess, n);
            lossesAtLatestStart = java.util.Arrays.copyOf(lossesAtLatestStart, n);
            lossesAtPreviousStart = java.util.Arrays.copyOf(lossesAtPreviousStart, n);
        }
        for (int b = 0; b < n; b++) {
            KafkaBroker p = process(b);
            if (p != null && p != latestProcess[b]) {
                previousProcess[b] = latestProcess[b];
                lossesAtPreviousStart[b] = lossesAtLatestStart[b];
                latestProcess[b] = p;
                lossesAtLatestStart[b] = losses(b);
            }
        }
    }

    /** How many times broker {@code brokerId} lost log data outside the protocol so far (power-loss cuts, disk wipes). */
    private long losses(int brokerId) {
        return powerLossCuts.get(brokerId) + sim.storage(sim.node(ClusterSpec.brokerNodeName(brokerId))).wipes();
    }

    @Override
    public void isrExpanded(int brokerId, int partition, int replica) {
        KafkaBroker leader = process(brokerId);
        if (leader == null) {
            return;
        }
        long leo = logOf(replica, partition).logEndOffset();
        long hw = leader.highWatermark(partition);
        ReplicaLogView leaderLog = leader.log(partition);
        long[][] cache = leaderLog.epochCache();
        long epochStart = cache.length == 0 ? 0 : cache[cache.length - 1][1];
        long bound = Math.max(hw, epochStart);
        // Judged against the log the leader saw when it proposed: a replica that lost records outside
        // the protocol (power loss, lost disk) after it sent the fetch the proposal was based on (while
        // that fetch or the request was on its way) is not a leader error —
        // the controller accepts it while the old registration is current (KIP-966's hazard).
        // A replica that registered again since (a new broker epoch) is not excused: the controller
        // must refuse the stale request (KIP-903; KM-S5 and DP-S6 both see it).
        long k = key(replica, partition);
        KafkaBroker member = process(replica);
        boolean sameIncarnation = member == null || member.brokerEpoch() < 0 || member.brokerEpoch() == epochAtProposal.get(k);
        // Only a replica whose fetch showed it caught up: a leader that proposes a lagging replica is
        // wrong whatever that replica loses afterwards.
        boolean lostSinceFetch = lossesAtProposal.containsKey(k) && losses(replica) > lossesAtProposal.get(k) && sameIncarnation
                && proposedCaughtUp.contains(k);
        if (leo < bound && !lostSinceFetch) {
            violation("DP-S6", "broker-" + replica + " joined the ISR of " + cluster.partitionName(partition) + " with log end offset " + leo
                    + " below the leader's high watermark " + hw + " or epoch start " + epochStart, brokerId);
        }
    }

    @Override
    public void servedConsumer(int brokerId, int partition, long endOffsetExclusive) {
        KafkaBroker leader = process(brokerId);
        if (leader == null) {
            return;
        }
        if (endOffsetExclusive > leader.highWatermark(partition)) {
            violation("DP-S7", "a consumer was given " + cluster.partitionName(partition) + " up to offset " + (endOffsetExclusive - 1)
                    + " above the leader's high watermark " + leader.highWatermark(partition), brokerId);
            return;
        }
        // Below the HW means committed: every live member of the leader's ISR holds the same records.
        ReplicaLogView mine = leader.log(partition);
        for (int member : leader.isr(partition)) {
            KafkaBroker m = member == brokerId ? null : process(member);
            if (m == null) {
                continue;
            }
            ReplicaLogView theirs = m.log(partition);
            long last = endOffsetExclusive - 1;
            if (theirs.logEndOffset() <= last || theirs.recordId(last) != mine.recordId(last)) {
                violation("DP-S7", "a consumer was given " + cluster.partitionName(partition) + " offset " + last
                        + " that ISR member broker-" + member + " does not hold (log end " + theirs.logEndOffset() + ")", brokerId);
                return;
            }
        }
    }

    /**
     * DP-S7, second half: a consumer that consumed {@code offset} continued from {@code offset - 1}
     * without detecting a truncation, so the record it consumed at {@code offset - 1} must still be in
     * the serving leader's log (KIP-320: never continue silently past a truncation).
     */
    void consumedAfter(String client, int partition, long offset, long previousId, int servingBroker) {
        KafkaBroker leader = process(servingBroker);
        if (leader == null || offset == 0) {
            return;
        }
        ReplicaLogView log = leader.log(partition);
        long prev = offset - 1;
        if (prev < log.logEndOffset() && log.recordId(prev) != previousId) {
            violation("DP-S7", client + " consumed " + cluster.partitionName(partition) + " offset " + offset + " after offset " + prev
                    + " that the serving leader broker-" + servingBroker + " does not hold there (truncated without the consumer noticing)",
                    servingBroker);
        }
    }

    // ------------------------------------------------------------------ checks after each event

    /** Clears a set and gives its memory back when it grew large (a full LeaderAndIsr touches every replica once). */
    private static void clear(LongLinkedOpenHashSet set) {
        boolean large = set.size() > 1024;
        set.clear();
        if (large) {
            set.trim();
        }
    }

    private final class Checks implements Invariant {
        @Override
        public String name() {
            return "data-plane";
        }

        @Override
        public void check(CheckContext ctx) {
            trackIncarnations();
            if (!newLeaders.isEmpty()) {
                for (long k : newLeaders) {
                    judge.checkNewLeader((int) (k >>> 32), (int) k);
                    if (cutSinceValidated.containsKey(k)) {
                        // A replica cut by a power loss takes over before fetching again: replicas whose
                        // high watermark came from before this takeover, or from this leader's own epoch,
                        // may have to truncate to its cut point and below. Its own epoch counts too: a
                        // ZooKeeper-mode controller that never saw the broker restart keeps it leader at
                        // the epoch it led before the loss, so its followers hold records of that epoch
                        // that it no longer has (fuzz zookeeper seed 26: a second truncation, 2 -> 0).
                        KafkaBroker leader = process((int) (k >>> 32));
                        if (leader != null && leader.isLeader((int) k)) {
                            boolean sole = leader.isr((int) k).length == 1;
                            powerLossHazards.computeIfAbsent((int) k, p -> new ArrayList<>())
                                    .add(new long[] {cutSinceValidated.get(k), leader.leaderEpoch((int) k), sole ? 2 : 1});
                        }
                    }
                }
                clear(newLeaders);
            }
            if (!touched.isEmpty()) {
                for (long k : touched) {
                    int broker = (int) (k >>> 32);
                    int partition = (int) k;
                    KafkaBroker b = process(broker);
                    if (b == null) {
                        continue;
                    }
                    int local = b.replicas.local(partition);
                    if (local < 0) {
                        continue;
                    }
                    // Kept only for partitions with a DP-S3 exemption event so far (memory per replica
                    // otherwise): epochs validated before the first such event are older than it anyway.
                    boolean validated = b.replicas.role[local] == ReplicaTable.LEADER || b.replicas.hasFlag(local, ReplicaTable.VALIDATED);
                    if (validated && (controlHistory.everUnclean(partition) || powerLossHazards.containsKey(partition))) {
                        validatedEpoch.put(k, b.replicas.leaderEpoch[local]);
                    }
                    if (validated && !cutSinceValidated.isEmpty()) {
                        cutSinceValidated.remove(k);
                    }
                    checkCommittedPrefix(b, partition, local);
                    checkEpochCache(b, partition, local);
                }
                clear(touched);
            }
            if (!pending.isEmpty()) {
                Pending stop = null;
                for (Pending v : pending) {
                    NodeId node = v.node() == null ? null : sim.node(v.node());
                    NodeId[] nodes = node == null ? new NodeId[0] : new NodeId[] {node};
                    if (!v.stops()) {
                        ctx.excused(v.invariant(), v.message(), v.evidence(), nodes);
                    } else if (stop == null) {
                        stop = v;
                        ctx.fail(v.invariant(), v.message(), v.evidence(), nodes);
                    }
                }
                pending.clear();
            }
        }
    }

    /** DP-S4: the epoch cache is strictly increasing; every record's epoch is the cache entry covering its offset. */
    private void checkEpochCache(KafkaBroker b, int partition, int local) {
        if (!checkS4) {
            return;
        }
        PartitionLog raw = b.store.log(local);
        if (raw == null) {
            return;
        }
        for (int i = 1; i < raw.cacheSize(); i++) {
            if (raw.cacheEpoch(i) <= raw.cacheEpoch(i - 1) || raw.cacheStart(i) <= raw.cacheStart(i - 1)) {
                violation("DP-S4", "broker-" + b.brokerId + " " + cluster.partitionName(partition) + " epoch cache not strictly increasing at entry "
                        + i, b.brokerId);
                return;
            }
        }
        long leo = raw.logEndOffset();
        if (leo == 0) {
            return;
        }
        long k = key(b.brokerId, partition);
        long from = epochsCheckedUpTo.get(k);
        int entry = 0;
        for (long o = from; o < leo; o++) {
            while (entry + 1 < raw.cacheSize() && raw.cacheStart(entry + 1) <= o) {
                entry++;
            }
            if (raw.cacheSize() == 0 || raw.cacheStart(entry) > o || raw.cacheEpoch(entry) != raw.epoch(o)) {
                violation("DP-S4", "broker-" + b.brokerId + " " + cluster.partitionName(partition) + " record at offset " + o + " has epoch "
                        + raw.epoch(o) + " not covered by the epoch cache", b.brokerId);
                return;
            }
        }
        if (leo > from) {
            epochsCheckedUpTo.put(k, leo);
        }
    }

    /**
     * DP-S2: a validated replica (the leader, or a follower that fetched from it in the current leader
     * epoch) agrees with the current leader below its own high watermark. Replicas that have not
     * fetched yet may still have to truncate (restart with a checkpointed HW); they are skipped.
     */
    private void checkCommittedPrefix(KafkaBroker b, int partition, int local) {
        // No blanket exemption for unclean elections or power loss: a replica is compared only once it
        // fetched from the current leader in the current epoch, which is when its high watermark
        // stops covering records it may still have to truncate (the power-loss exemption's case,
        // docs/architecture.md#ground-truth-and-checkers).
        if (!checkS2) {
            return;
        }
        long k = key(b.brokerId, partition);
        long from = agreedUpTo.get(k);
        ReplicaTable t = b.replicas;
        if (from >= t.highWatermark[local]) {
            return; // nothing new below this replica's high watermark (most touches: a high watermark sent again, an idle log)
        }
        if (t.role[local] != ReplicaTable.LEADER && !t.hasFlag(local, ReplicaTable.VALIDATED)) {
            return;
        }
        PartitionState authoritative = controlPlane.partitionStates().state(partition);
        if (authoritative == null || !authoritative.hasLeader() || t.leaderEpoch[local] != authoritative.leaderEpoch()) {
            return;
        }
        KafkaBroker leader = process(authoritative.leader());
        if (leader == null || leader == b) {
            return;
        }
        int leaderLocal = leader.replicas.local(partition);
        if (leaderLocal < 0 || leader.replicas.role[leaderLocal] != ReplicaTable.LEADER
                || leader.replicas.leaderEpoch[leaderLocal] != authoritative.leaderEpoch()) {
            return;
        }
        long upTo = Math.min(t.highWatermark[local], leader.replicas.highWatermark[leaderLocal]);
        PartitionLog mine = b.store.log(local);
        PartitionLog theirs = leader.store.log(leaderLocal);
        upTo = Math.min(upTo, Math.min(mine == null ? 0 : mine.logEndOffset(), theirs == null ? 0 : theirs.logEndOffset()));
        for (long o = from; o < upTo; o++) {
            if (mine.id(o) != theirs.id(o)) {
                violation("DP-S2", cluster.partitionName(partition) + " offset " + o + " below both high watermarks differs: broker-" + b.brokerId
                        + " has " + Long.toHexString(mine.id(o)) + ", leader broker-" + leader.brokerId + " has "
                        + Long.toHexString(theirs.id(o)), b.brokerId);
                return;
            }
        }
        if (upTo > from) {
            agreedUpTo.put(k, upTo);
        }
    }
}

package dev.faultline.raft.kraft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.raft.kraft.MetadataRecord;
import dev.faultline.raft.kraft.WorkingImage;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.RaftLog;
import dev.faultline.raft.quorum.RaftNode;
import java.util.ArrayList;
import java.util.List;

/**
 * KM-S4 (docs/invariants.md): a partition leader the active controller names must be eligible in
 * the image it decided from. The image is rebuilt here from the committed image and the leader's
 * log, not read from the controller, so a controller whose own image is wrong is still judged
 * against the true one. {@link KRaftChecks} feeds it each record a Raft leader appends and each
 * record first committed.
 */
final class IneligibleLeaders {
    private final KRaftChecks checks;
    private final KRaftView view;
    private final ClusterSpec cluster;
    /** The generating leader's Raft node while the committed records are walked ({@link #beforeCommitted}). */
    private RaftNode generator;

    IneligibleLeaders(KRaftChecks checks, KRaftView view) {
        this.checks = checks;
        this.view = view;
        this.cluster = view.cluster();
    }

    /**
     * KM-S4: the image the Raft leader {@code generatorNode} generated its records from in epoch
     * {@code generatorEpoch}: the committed image plus every record of its log up to the one being
     * appended. Rebuilt (one image copy plus a replay of the uncommitted suffix of its log) when
     * another leader or epoch appends; then advanced by one record per append. It is the image the
     * active controller decided from (its working image: committed plus its own records, in log
     * order), rebuilt from the log rather than read from the controller, so a controller whose own
     * image is wrong is still judged against the true one.
     */
    private WorkingImage generatorImage;
    private int generatorNode = -1;
    private int generatorEpoch = -1;
    /** KM-S4 suspicions of the current event: leaders named while ineligible, unless unfenced in the same batch. */
    private final List<IneligibleLeader> ineligibleLeaders = new ArrayList<>();

    /** @param onlyFenced ineligible only because fenced (an unfence in the same batch excuses it, not controlled shutdown) */
    private record IneligibleLeader(int brokerId, long brokerEpoch, boolean onlyFenced, String message) {
    }

    /**
     * KM-S4 for one record a leader appends (a follower's replicated append is not a decision):
     * a PartitionRecord or PartitionChangeRecord that names a new leader (another broker, or the
     * same one with a higher leader epoch) must name a broker registered and unfenced in the
     * generating image, or one that a BrokerRegistrationChange of the same batch unfences at its
     * current registration. A Raft batch (one {@code append.linger.ms} flush, appended in one
     * event) stands for Kafka's record batch; suspicions are settled at the end of the event.
     * A broker in controlled shutdown is not eligible either (KIP-841), and an unfence record does
     * not excuse it (it stays in controlled shutdown until it registers again).
     */
    void onLeaderAppend(int nodeId, long offset, MetadataRecord record) {
        RaftNode raft = view.isVoter(nodeId) ? view.process(nodeId) : null;
        if (raft == null || !(raft.state() instanceof LeaderState)) {
            return;
        }
        if (generatorImage == null || generatorNode != nodeId || generatorEpoch != raft.epoch()) {
            generatorImage = new WorkingImage(checks.committedImage());
            generatorNode = nodeId;
            generatorEpoch = raft.epoch();
            RaftLog log = raft.log();
            for (long o = checks.committedImageEnd(); o < offset; o++) {
                if (log.get(o).payload() instanceof MetadataRecord) {
                    generatorImage.apply(o, (MetadataRecord) log.get(o).payload());
                }
            }
        }
        PartitionState named = record instanceof MetadataRecord.PartitionChange ? ((MetadataRecord.PartitionChange) record).state()
                : record instanceof MetadataRecord.PartitionCreation ? ((MetadataRecord.PartitionCreation) record).state() : null;
        if (named != null && named.hasLeader()) {
            PartitionState before = generatorImage.partition(named.partition());
            int b = named.leader();
            boolean newLeader = before == null || before.leader() != b || named.leaderEpoch() > before.leaderEpoch();
            if (newLeader && !generatorImage.isEligible(b)) {
                boolean onlyFenced = generatorImage.isRegistered(b) && !generatorImage.inControlledShutdown(b);
                ineligibleLeaders.add(new IneligibleLeader(b, generatorImage.brokerEpoch(b), onlyFenced, view.nodeId(nodeId) + " (epoch "
                        + raft.epoch() + ") named broker-" + b + " leader of " + cluster.partitionName(named.partition())
                        + " at offset " + offset + " (" + named + ") while it was "
                        + (!generatorImage.isRegistered(b) ? "not registered"
                                : generatorImage.isActive(b) ? "in controlled shutdown (registration epoch " + generatorImage.brokerEpoch(b) + ")"
                                : "fenced (registration epoch " + generatorImage.brokerEpoch(b) + ")")
                        + " in the image it generated from"));
            }
        } else if (record instanceof MetadataRecord.BrokerFencing && !((MetadataRecord.BrokerFencing) record).fenced()) {
            MetadataRecord.BrokerFencing f = (MetadataRecord.BrokerFencing) record;
            if (generatorImage.brokerEpoch(f.brokerId()) == f.brokerEpoch() && !generatorImage.inControlledShutdown(f.brokerId())) {
                ineligibleLeaders.removeIf(l -> l.onlyFenced() && l.brokerId() == f.brokerId() && l.brokerEpoch() == f.brokerEpoch());
            }
        }
        generatorImage.apply(offset, record);
    }

    /** KM-S4, after each event: a leader named while ineligible and not unfenced in the same batch. */
    void report(CheckContext ctx) {
        if (ineligibleLeaders.isEmpty()) {
            return;
        }
        String message = ineligibleLeaders.get(0).message();
        ineligibleLeaders.clear();
        ctx.fail(KRaftChecks.KM_S4, message);
    }


    /** Records are about to be committed: the generating leader's log is compared with them. */
    void beforeCommitted() {
        generator = generatorImage == null ? null : view.process(generatorNode);
    }

    /** The record {@code e} at {@code o} is committed: if it is not the generating leader's, that view is rebuilt at its next append. */
    void committed(long o, LogEntry e) {
        if (generatorImage != null && (generator == null || generator.log().endOffset() <= o
                || generator.log().get(o).chainHash() != e.chainHash())) {
            // The committed record is not the generating leader's: its view is rebuilt at its next append.
            generatorImage = null;
        }
    }

    /** The committed image now ends at {@code committedEnd}. */
    void afterCommitted(long committedEnd) {
        generator = null;
        if (generatorImage != null) {
            generatorImage.prune(committedEnd);
        }
    }
}

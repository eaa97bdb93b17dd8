package dev.faultline.raft.kraft;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.kraft.check.KRaftChecks;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.RaftSnapshot;

/**
 * Warm start ({@link ClusterSpec#warmStart()}): what the run starts from. The committed prefix
 * of {@code __cluster_metadata} is one snapshot on every voter's and broker's disk, at the end of
 * a history that would have been: the epoch-1 LeaderChange of controller-1 (offset 0), every
 * broker's registration (its broker epoch is that offset) and unfencing, and the TopicRecord and
 * PartitionRecords of every topic that is not created at runtime (preferred replica leading,
 * every replica in the ISR, epochs 0). Every log starts empty at that offset; every quorum-state
 * file says epoch 1 is led by the first voter, which resumes as leader (no election, no new
 * LeaderChange record) and claims at once; the other voters and the brokers' observers follow
 * it. Each process's image is the snapshot's (one shared object), already loaded: nothing is
 * replayed. Brokers are registered with their epochs and unfenced, their first process adopts its
 * roles from {@link KRaftControlPlane#partitionStates()} (the data plane's warm start) and sends its first
 * heartbeat at a random phase of {@code broker.heartbeat.interval.ms} (drawn here, seeded); the
 * active controller heard each broker's previous heartbeat one interval before that (so a broker
 * that crashes at once is fenced a session timeout after its last heartbeat, as in a settled
 * cluster, not a session timeout after the run began), and its first NoOp comes at a random
 * phase of {@code metadata.max.idle.interval.ms}. Building it is
 * O(partitions) once, before the run; a process restarted later recovers from its disk as usual.
 */
final class WarmStart {
    final RaftSnapshot snapshot;
    final MetadataSnapshot image;
    /** Broker epoch and incarnation by broker id. */
    final long[] brokerEpoch;
    final long[] incarnation;
    /** By broker id: when its first heartbeat of the run leaves, in (0, broker.heartbeat.interval.ms]. */
    final long[] firstHeartbeatNanos;
    /** Node index of the established leader. */
    final int leader;
    /** By node index: the next process start is this node's first (warm) start. */
    final boolean[] pending;

    WarmStart(RaftSnapshot snapshot, MetadataSnapshot image, long[] brokerEpoch, long[] incarnation, long[] firstHeartbeatNanos,
              int leader, boolean[] pending) {
        this.snapshot = snapshot;
        this.image = image;
        this.brokerEpoch = brokerEpoch;
        this.incarnation = incarnation;
        this.firstHeartbeatNanos = firstHeartbeatNanos;
        this.leader = leader;
        this.pending = pending;
    }

    /** Builds the warm start of {@code plane}'s cluster (at install, before any node starts): O(partitions). */
    static WarmStart build(KRaftControlPlane plane) {
        ClusterSpec cluster = plane.cluster();
        dev.faultline.core.kernel.Simulation sim = plane.sim();
        KRaftChecks checks = plane.checks();
        int[] voterIds = plane.voterIds();
        NodeId[] peers = plane.peers();
        MetadataImage image = new MetadataImage(cluster);
        dev.faultline.core.kernel.SimRandom random = sim.random("kraft-warm-start");
        long offset = 1; // offset 0: the LeaderChange of epoch 1
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            image.apply(offset++, new MetadataRecord.RegisterBroker(b.id(), random.nextLong()));
        }
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            image.apply(offset++, new MetadataRecord.BrokerFencing(b.id(), image.brokerEpoch(b.id()), false));
        }
        for (int t = 0; t < cluster.topics().size(); t++) {
            ClusterSpec.TopicSpec topic = cluster.topics().get(t);
            if (cluster.createdAtRuntime(topic.name())) {
                continue;
            }
            image.apply(offset++, new MetadataRecord.TopicCreation(topic.name()));
            int first = cluster.topicFirstPartition(topic.name());
            for (int p = first; p < first + topic.partitions(); p++) {
                int[] replicas = cluster.replicas(p);
                image.apply(offset++, new MetadataRecord.PartitionCreation(PartitionState.of(p, replicas[0], 0, replicas, 0)));
            }
        }
        long end = offset;
        long chain = dev.faultline.core.kernel.SimRandom.mix64(0x5741524dL ^ end);
        MetadataSnapshot frozen = image.toSnapshot();
        RaftSnapshot snapshot = new RaftSnapshot(end, 1, chain, frozen.fileBytes(), frozen.recordCount, frozen, 0);
        checks.history().startCommittedAt(end, 1, chain);
        checks.committedImage().load(frozen);
        long[] epochs = new long[cluster.maxBrokerId() + 1];
        long[] incarnations = new long[cluster.maxBrokerId() + 1];
        long[] firstHeartbeat = new long[cluster.maxBrokerId() + 1];
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            epochs[b.id()] = image.brokerEpoch(b.id());
            incarnations[b.id()] = image.incarnation(b.id());
            firstHeartbeat[b.id()] = 1 + random.nextLong(Math.max(1, plane.heartbeatIntervalNanos()));
        }
        int leader = voterIds[0];
        boolean[] pending = new boolean[peers.length];
        java.util.TreeSet<Integer> raftNodes = new java.util.TreeSet<>();
        for (int v : voterIds) {
            raftNodes.add(v);
        }
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            raftNodes.add(sim.node(ClusterSpec.brokerNodeName(b.id())).index());
        }
        for (int index : raftNodes) {
            pending[index] = true;
            dev.faultline.core.storage.Storage disk = sim.storage(peers[index]);
            dev.faultline.raft.quorum.MetadataLogFile log = disk.open(RaftNode.LOG_FILE, dev.faultline.raft.quorum.MetadataLogFile.class,
                    dev.faultline.raft.quorum.MetadataLogFile::new);
            log.addSnapshot(snapshot);
            log.advanceStart(end, 1, chain);
            log.sync();
            dev.faultline.raft.quorum.ElectionState election = plane.isVoter(index)
                    ? new dev.faultline.raft.quorum.ElectionState(1, leader, leader)
                    : new dev.faultline.raft.quorum.ElectionState(1, dev.faultline.raft.quorum.ElectionState.NONE, leader);
            @SuppressWarnings("unchecked")
            dev.faultline.core.storage.DurableValue<dev.faultline.raft.quorum.ElectionState> state = disk.open(RaftNode.QUORUM_STATE_FILE,
                    dev.faultline.core.storage.DurableValue.class, () -> new dev.faultline.core.storage.DurableValue<>(election));
            state.sync();
        }
        checks.warmStarted(end, epochs);
        return new WarmStart(snapshot, frozen, epochs, incarnations, firstHeartbeat, leader, pending);
    }
}

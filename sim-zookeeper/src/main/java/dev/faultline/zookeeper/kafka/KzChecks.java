package dev.faultline.zookeeper.kafka;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.ViolationReport;
import dev.faultline.core.check.ViolationReports;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.LeaderElection;
import it.unimi.dsi.fastutil.ints.Int2IntAVLTreeMap;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.function.LongSupplier;

/**
 * KZ-S1 (one controller per controller epoch, epochs strictly increasing across activations) and
 * KZ-S4 (every partition state a controller writes is well formed: leader in ISR or -1, ISR within
 * the replicas, ISR not empty). The plane and the controllers record; the invariant reports.
 */
final class KzChecks {
    private final Int2IntAVLTreeMap controllerOfEpoch = new Int2IntAVLTreeMap();
    private final ViolationReports problems;
    private int highestEpoch = -1;

    /** {@code clock}: the simulation's true virtual time, for the violation reports. */
    KzChecks(LongSupplier clock) {
        this.problems = new ViolationReports(clock);
    }

    void controllerActivated(int brokerId, int epoch) {
        if (controllerOfEpoch.containsKey(epoch) && controllerOfEpoch.get(epoch) != brokerId) {
            problems.report("KZ-S1", "controller epoch " + epoch + " claimed by brokers " + controllerOfEpoch.get(epoch) + " and " + brokerId);
        } else if (epoch <= highestEpoch && !controllerOfEpoch.containsKey(epoch)) {
            problems.report("KZ-S1", "broker " + brokerId + " activated with epoch " + epoch + " after epoch " + highestEpoch);
        }
        controllerOfEpoch.put(epoch, brokerId);
        highestEpoch = Math.max(highestEpoch, epoch);
    }

    void beforeWrite(ClusterSpec cluster, int partition, KafkaZnodes.StateData data) {
        if (data.isr().isEmpty()) {
            problems.report("KZ-S4", cluster.partitionName(partition) + " written with an empty ISR");
            return;
        }
        if (data.leader() != LeaderElection.NO_LEADER && !data.isr().contains(data.leader())) {
            problems.report("KZ-S4", cluster.partitionName(partition) + " leader " + data.leader() + " not in ISR " + data.isr());
        }
        for (int i = 0; i < data.isr().size(); i++) {
            if (!cluster.isReplica(partition, data.isr().getInt(i))) {
                problems.report("KZ-S4", cluster.partitionName(partition) + " ISR " + data.isr() + " outside the replicas");
            }
        }
    }

    /**
     * KZ-S2: a controller write of epoch {@code epoch} succeeded at {@code zxid}; {@code epochZnode}
     * is the committed {@code /controller_epoch} (value, mzxid) now. If the epoch there differs and
     * was written before this write, the write was applied under another controller: a zombie write.
     */
    void controllerWriteApplied(int brokerId, int epoch, long zxid, long[] epochZnode) {
        if (epochZnode != null && epochZnode[0] != epoch && epochZnode[1] < zxid) {
            problems.report("KZ-S2", "controller " + brokerId + " (epoch " + epoch + ") wrote at zxid 0x" + Long.toHexString(zxid)
                    + " while /controller_epoch was already " + epochZnode[0]);
        }
    }

    /** Per partition, the leader stored with each leader epoch (KZ-S3). */
    private final it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap<Int2IntAVLTreeMap> leaderOfEpoch =
            new it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap<>();
    private final it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap lastLeaderEpoch = new it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap();

    /**
     * A controller write of a partition state succeeded. KZ-S3: a leader change or a
     * controller-initiated ISR change raises the leader epoch (an AlterPartition keeps it), and one
     * (partition, leader epoch) never names two leaders. KZ-S5: with unclean leader election disabled
     * for the topic, an election chose a member of the ISR stored just before. Whether the election
     * may be unclean comes from the topic's configuration, not from the controller's own account of
     * its election, so a controller that elects outside the ISR against the setting is caught.
     */
    void partitionWritten(ClusterSpec cluster, int partition, IntList isrBefore, int epochBefore, KafkaZnodes.StateData after,
                          boolean leaderChange, boolean alterPartition) {
        String name = cluster.partitionName(partition);
        if (alterPartition ? after.leaderEpoch() != epochBefore : after.leaderEpoch() <= epochBefore) {
            problems.report("KZ-S3", name + " leader epoch " + epochBefore + " -> " + after.leaderEpoch()
                    + (alterPartition ? " on an AlterPartition" : " on a controller change"));
        }
        Int2IntAVLTreeMap leaders = leaderOfEpoch.computeIfAbsent(partition, k -> new Int2IntAVLTreeMap());
        if (leaders.containsKey(after.leaderEpoch()) && leaders.get(after.leaderEpoch()) != after.leader()) {
            problems.report("KZ-S3", name + " leader epoch " + after.leaderEpoch() + " stored with leaders "
                    + leaders.get(after.leaderEpoch()) + " and " + after.leader());
        }
        leaders.put(after.leaderEpoch(), after.leader());
        if (leaderChange && !cluster.uncleanLeaderElectionEnabled(partition) && after.leader() != LeaderElection.NO_LEADER
                && !isrBefore.contains(after.leader())) {
            problems.report("KZ-S5", name + " clean election of " + after.leader() + " outside the ISR " + isrBefore);
        }
    }

    /**
     * KZ-S7: after a completed controller event, the active controller's cache equals the committed
     * partition states, for the partitions the event touched (all of them after a failover load).
     * Checked only while this controller is active in the sense KZ-S7 gives it
     * (docs/invariants.md): the committed {@code /controller_epoch} names its epoch and its
     * ZooKeeper session is valid. A deposed controller's cache may legitimately lag until it
     * resigns: for example one whose session expired while it was paused or isolated learns so only
     * when it reconnects, and the client fails its outstanding requests ({@code SESSIONEXPIRED})
     * just before it delivers {@code Expired}, so the event in progress ends once more before the
     * resignation (fuzz zookeeper seed 42: the newer controller had just crashed, so the deposed
     * one was the highest-epoch controller still believing itself active).
     */
    void cacheAgrees(int brokerId, int controllerEpoch, boolean sessionValid, ZkControlPlane plane, IntList partitions,
                     java.util.function.IntFunction<dev.faultline.core.control.PartitionState> cache) {
        if (disabled.contains("KZ-S7") || !sessionValid || plane.ensemble().establishedLeader() == null) {
            // Without an established ZooKeeper leader no live data tree need show the committed state:
            // a leader that crashed right after committing and answering a write may have sent the
            // COMMIT to nobody, and the followers apply it only when the next leader syncs them
            // (fuzz zookeeper seed 1066: a controller's answered rebalance writes, leader crashed).
            return;
        }
        long[] epoch = plane.controllerEpochZnode();
        dev.faultline.core.kernel.NodeId active = plane.activeController();
        if (epoch == null || epoch[0] != controllerEpoch || active == null || !active.equals(plane.brokerNode(brokerId))) {
            return;
        }
        var view = plane.partitionStates();
        for (int i = 0; i < partitions.size(); i++) {
            int p = partitions.getInt(i);
            dev.faultline.core.control.PartitionState zk = view.state(p);
            dev.faultline.core.control.PartitionState mine = cache.apply(p);
            if (zk != null && (zk.leader() != mine.leader() || zk.leaderEpoch() != mine.leaderEpoch()
                    || !zk.isr().equals(mine.isr()) || zk.partitionEpoch() != mine.partitionEpoch())) {
                problems.report("KZ-S7", "controller " + brokerId + " caches " + mine + " but ZooKeeper has " + zk);
                return;
            }
        }
    }

    /** Per broker, the highest controller epoch its current process applied a request from (KZ-S6). */
    private final it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap highestEpochApplied = new it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap();

    /** A broker process started: its in-memory highest controller epoch starts again (Kafka keeps it in memory only). */
    void brokerStarted(int brokerId) {
        highestEpochApplied.remove(brokerId);
    }

    /**
     * KZ-S6, from the broker request log: broker {@code brokerId} applied a controller request of
     * {@code controllerEpoch} addressed to broker epoch {@code targetBrokerEpoch} while its own broker
     * epoch was {@code brokerEpoch}. It must not be older than a controller epoch the same process
     * applied before, and the broker epochs must match.
     */
    void controllerRequestApplied(int brokerId, String kind, int controllerId, int controllerEpoch, long targetBrokerEpoch,
                                  long brokerEpoch) {
        int highest = highestEpochApplied.getOrDefault(brokerId, -1);
        if (controllerEpoch < highest) {
            problems.report("KZ-S6", "broker " + brokerId + " applied " + kind + " of controller " + controllerId + " with controller epoch "
                    + controllerEpoch + " after applying controller epoch " + highest);
        }
        if (targetBrokerEpoch != brokerEpoch) {
            problems.report("KZ-S6", "broker " + brokerId + " applied " + kind + " of controller " + controllerId + " for broker epoch "
                    + targetBrokerEpoch + " while its broker epoch is " + brokerEpoch);
        }
        if (controllerEpoch > highest) {
            highestEpochApplied.put(brokerId, controllerEpoch);
        }
    }

    /**
     * KZ-S6: a LeaderAndIsr state changed the leader epoch the broker had applied for its partition
     * from {@code before} to {@code after}; it may only have raised it, to the state's leader epoch.
     * (An equal leader epoch with a newer partition epoch, an ISR-only change, leaves the epoch as it
     * is and is not a change here.)
     */
    void leaderEpochApplied(ClusterSpec cluster, int brokerId, dev.faultline.core.control.PartitionState state, int before, int after) {
        if (after != before && (after != state.leaderEpoch() || after < before)) {
            problems.report("KZ-S6", "broker " + brokerId + " applied " + cluster.partitionName(state.partition()) + " leader epoch "
                    + state.leaderEpoch() + " over its leader epoch " + before + " (now " + after + ")");
        }
    }

    private final java.util.TreeSet<String> disabled = new java.util.TreeSet<>();

    void disable(String id) {
        disabled.add(id);
    }

    boolean isDisabled(String id) {
        return disabled.contains(id);
    }

    Invariant invariant(String id) {
        return Invariant.of(id, context -> {
            if (disabled.contains(id)) {
                return;
            }
            ViolationReport problem = problems.first(id);
            if (problem != null) {
                problem.failOn(context);
            }
        });
    }
}

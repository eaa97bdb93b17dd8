package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.Time;

/**
 * The CPU cost model of the ZooKeeper-mode controller, in one place (docs/model.md#controller-failover, docs/model.md#cpu-cost-model). Each
 * constant can be overridden with its {@code faultline.zk.*} key. ZooKeeper servers charge their
 * own costs ({@code ZkConfig.Costs}: 20 µs a request, 5 µs a znode); brokers charge
 * {@code faultline.broker.partition.cost.ns} (2 µs) per partition state they apply from a
 * LeaderAndIsr (a quarter of that from an UpdateMetadata). Network round trips come from the
 * scenario's latency model (0.5 ms one way by default) and request sizes over its bandwidth.
 *
 * <p>Public figures to calibrate against (every figure is a controller failover: from "successfully
 * elected as the controller" to "Starting the controller scheduler", i.e. the failover load):
 * <ul>
 *   <li>KAFKA-6082 performance test (apache/kafka PR 5101, September 2018, Kafka 2.1 trunk; 5
 *       ZooKeeper servers, 5 brokers): 7.4 s with 2,000 topics of 50 partitions (100,000
 *       partitions, RF 1), 14.9 s with 10,000 single-partition topics plus 10,000 three-partition
 *       topics (40,000 partitions, RF 1 and 2). (The comment lists the two datasets, then "run 1"
 *       and "run 2"; we read run 1 as the first dataset.) Solving {@code t = a·P + b·T} for both
 *       gives about 62 µs per partition and 0.62 ms per topic.</li>
 *   <li>KAFKA-5642 (PR 3765, October 2017): about 60 s (58–61 s over five failovers) with 100,000
 *       single-partition topics before the asynchronous ZooKeeper client, when every read was a
 *       sequential round trip.</li>
 *   <li>LinkedIn's fork (linkedin/kafka PRs 347 and 361, 2022): controller initialisation "scales
 *       almost linearly with the total number of topic-partitions", pushing 60 s above 200,000
 *       partitions.</li>
 * </ul>
 * Fit: the per-topic cost is what is left of those two figures once the pipelined reads are
 * simulated (reads of every topic and partition state with at most
 * {@code zookeeper.max.in.flight.requests} = 10 in flight, Kafka's default, each a network round
 * trip plus the ZooKeeper server's own cost). With a 0.25 ms one-way latency (same data centre) and
 * every broker alive, {@code ./bench zk-scale 100k --topics 2000 --fault election --latency-us 250}
 * gives 6.7 s (KAFKA-6082: 7.4 s) and {@code ./bench zk-scale 40k --topics 20000 --fault election
 * --latency-us 250} 14.3 s (14.9 s); at the default 0.5 ms one way, 11.8 s and 17.4 s. The failover
 * time then grows linearly with partitions and with topics. A crash of the controller's own broker
 * adds, as in Kafka 3.9, the OfflineReplica transition of its replicas (a read of each state again,
 * then one conditional multi per partition, pipelined the same way, each a ZooKeeper commit with
 * group fsync) and the elections of the partitions it led (again a read, then a write each): see
 * {@link ControllerZk#rereadStates}. None of the public figures above had a dead broker. KAFKA-5642's 60 s was measured with one synchronous round trip per read
 * (before the asynchronous client) and is not what this model reproduces; LinkedIn's "almost
 * linearly" is the shape it does reproduce.
 *
 * @param stateReadNanos controller CPU per partition state read at failover (decode, cache update)
 * @param requestPartitionNanos controller CPU per partition state written into a request, per recipient
 * @param writePartitionNanos controller CPU per partition state change decided and written to ZooKeeper
 * @param topicLoadNanos controller CPU per topic at failover (assignment, handlers, deletion and
 *        reassignment bookkeeping)
 */
record ZkCosts(long stateReadNanos, long requestPartitionNanos, long writePartitionNanos, long topicLoadNanos) {
    /**
     * Per partition state read at failover (JSON decode and context update), on the controller's
     * thread. Assumed, not measured; it is part of the fitted totals above (the per-topic cost was
     * fitted with it in place).
     */
    static final long STATE_READ_NANOS = 20 * Time.MICROSECOND;
    /** Per partition state serialized into a LeaderAndIsr or UpdateMetadata, per recipient (assumed, as the broker's 2 µs apply cost). */
    static final long REQUEST_PARTITION_NANOS = 2 * Time.MICROSECOND;
    /** Per partition state change decided and written (election, JSON encode); assumed, as the read cost. */
    static final long WRITE_PARTITION_NANOS = 20 * Time.MICROSECOND;
    /** Per topic at failover (fitted to KAFKA-6082's two datasets, see above). */
    static final long TOPIC_LOAD_NANOS = 550 * Time.MICROSECOND;

    static ZkCosts of(ClusterSpec cluster) {
        var c = cluster.config();
        return new ZkCosts(
                Long.parseLong(c.getString("faultline.zk.controller.state.read.ns", Long.toString(STATE_READ_NANOS))),
                Long.parseLong(c.getString("faultline.zk.controller.request.partition.ns", Long.toString(REQUEST_PARTITION_NANOS))),
                Long.parseLong(c.getString("faultline.zk.controller.write.partition.ns", Long.toString(WRITE_PARTITION_NANOS))),
                Long.parseLong(c.getString("faultline.zk.controller.topic.ns", Long.toString(TOPIC_LOAD_NANOS))));
    }
}

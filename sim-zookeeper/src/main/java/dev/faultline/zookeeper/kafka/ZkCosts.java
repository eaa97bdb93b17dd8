package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.Time;

/**
 * The CPU cost model of the ZooKeeper-mode controller, in one place (model-spec §B.4, §B.10). Each
 * constant can be overridden with its {@code faultline.zk.*} key. ZooKeeper servers charge their
 * own costs ({@code ZkConfig.Costs}: 20 µs a request, 5 µs a znode); brokers charge
 * {@code faultline.broker.partition.cost.ns} (2 µs) per partition state they apply from a
 * LeaderAndIsr (a quarter of that from an UpdateMetadata). Network round trips come from the
 * scenario's latency model (0.5 ms one way by default) and request sizes over its bandwidth.
 *
 * <p>Public figures to calibrate against (every figure is a controller failover: from "successfully
 * elected as the controller" to "Starting the controller scheduler", i.e. the load of §B.4):
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
 * The values below are provisional (the current model's per-partition charges) until fitted.
 *
 * @param stateReadNanos controller CPU per partition state read at failover (decode, cache update)
 * @param requestPartitionNanos controller CPU per partition state written into a request, per recipient
 * @param writePartitionNanos controller CPU per partition state change decided and written to ZooKeeper
 * @param topicLoadNanos controller CPU per topic at failover (assignment, handlers, deletion and
 *        reassignment bookkeeping)
 */
record ZkCosts(long stateReadNanos, long requestPartitionNanos, long writePartitionNanos, long topicLoadNanos) {
    /** Per partition state read at failover. */
    static final long STATE_READ_NANOS = 20 * Time.MICROSECOND;
    /** Per partition state serialized into a LeaderAndIsr or UpdateMetadata, per recipient. */
    static final long REQUEST_PARTITION_NANOS = 2 * Time.MICROSECOND;
    /** Per partition state change written (election, JSON). */
    static final long WRITE_PARTITION_NANOS = 20 * Time.MICROSECOND;
    /** Per topic at failover. */
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

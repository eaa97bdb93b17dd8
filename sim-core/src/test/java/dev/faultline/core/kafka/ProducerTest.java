package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.trace.TraceEvent;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The producer model: partitioners, batching, one request per broker, in-flight limit, metadata for what is needed. */
class ProducerTest {
    private static final Pattern PARTITIONS = Pattern.compile("partitions=\\[([0-9, ]*)\\]");

    private static int[] all(int n) {
        int[] ps = new int[n];
        for (int i = 0; i < n; i++) {
            ps[i] = i;
        }
        return ps;
    }

    private static KafkaCluster cluster(int partitions, ProducerConfig producer) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", partitions, 3).build();
        return KafkaCluster.builder(spec).seed(5).producer("producer", producer).build();
    }

    /** The partition of every record sent, in order. */
    private static List<Integer> sentPartitions(KafkaCluster c) {
        List<Integer> out = new ArrayList<>();
        for (KafkaHistory.Operation op : c.history().operations()) {
            if (op.kind().equals("send")) {
                out.add(op.partition());
            }
        }
        return out;
    }

    /** Lengths of the runs of consecutive records to the same partition. */
    private static List<Integer> runs(List<Integer> partitions) {
        List<Integer> runs = new ArrayList<>();
        int length = 0;
        for (int k = 0; k < partitions.size(); k++) {
            if (k > 0 && !partitions.get(k).equals(partitions.get(k - 1))) {
                runs.add(length);
                length = 0;
            }
            length++;
        }
        return runs; // the last, unfinished run is left out
    }

    @Test
    void murmur2MatchesKafkasTestVectors() {
        Map<String, Integer> vectors = new TreeMap<>(Map.of("21", -973932308, "foobar", -790332482, "a-little-bit-long-string", -985981536,
                "a-little-bit-longer-string", -1486304829, "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971, "abc", 479470107));
        for (Map.Entry<String, Integer> e : vectors.entrySet()) {
            assertThat(ProducerPartitioner.murmur2(e.getKey().getBytes(StandardCharsets.UTF_8))).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void unkeyedRecordsStickToOnePartitionUntilTwiceBatchSizeWhenEachBatchGoesAtOnce() {
        // linger.ms 0: every record leaves in a batch of its own, so the last batch is never full and the
        // sticky partitioner moves on after 2 * batch.size bytes: 1061 / 100 -> 22 records.
        KafkaCluster c = cluster(1000, ProducerConfig.of(all(1000), 100, 300, Map.of("acks", "all", "batch.size", "1061"))).start();
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        List<Integer> sent = sentPartitions(c);
        assertThat(sent).hasSize(300);
        assertThat(runs(sent)).isNotEmpty().allMatch(r -> r == 22);
        assertThat(new TreeSet<>(sent).size()).isBetween(12, 14);
        assertThat(c.history().ackedCount()).isEqualTo(300);
    }

    @Test
    void withLingerTheStickyPartitionMovesOnOnceBatchSizeWentToItAndItsLastBatchIsFull() {
        // linger.ms 10 s: batches fill (10 records of 100 bytes in 1061 bytes); after 11 records batch.size
        // is reached but the second batch is not full, so the switch waits for its 20th record.
        KafkaCluster c = cluster(1000, ProducerConfig.of(all(1000), 100, 300, Map.of("acks", "all", "batch.size", "1061", "linger.ms", "10000")))
                .start();
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        assertThat(runs(sentPartitions(c))).isNotEmpty().allMatch(r -> r == 20);
        assertThat(c.history().ackedCount()).as("full batches leave without waiting for linger.ms").isGreaterThan(250);
    }

    @Test
    void roundRobinWritesEachPartitionInTurn() {
        KafkaCluster c = cluster(7, ProducerConfig.roundRobin(all(7), 70, 70, "all")).start();
        c.runFor(Time.seconds(2));
        List<Integer> sent = sentPartitions(c);
        for (int k = 0; k < sent.size(); k++) {
            assertThat(sent.get(k)).isEqualTo(k % 7);
        }
        assertThat(c.history().ackedCount()).isEqualTo(70);
    }

    @Test
    void keyedRecordsGoToTheirKeysPartition() {
        int n = 50;
        KafkaCluster c = cluster(n, ProducerConfig.of(all(n), 200, 400, "all").withKeys(3)).start();
        c.runFor(Time.seconds(3));
        c.assertNoViolation();
        TreeSet<Integer> expected = new TreeSet<>();
        for (int k = 0; k < 3; k++) {
            expected.add((ProducerPartitioner.murmur2(("key-" + k).getBytes(StandardCharsets.UTF_8)) & 0x7fffffff) % n);
        }
        assertThat(new TreeSet<>(sentPartitions(c))).isEqualTo(expected);
        assertThat(c.history().ackedCount()).isEqualTo(400);
    }

    @Test
    void oneRequestPerBrokerCarriesTheBatchesOfSeveralPartitionsAndAtMostFiveAreInFlight() {
        int n = 30;
        KafkaCluster c = cluster(n, ProducerConfig.roundRobin(all(n), 3000, 3000, "all"));
        List<String[]> produceRequests = new ArrayList<>(); // {time, to, partitions}
        c.sim().tracer().addSink(e -> {
            if (e instanceof TraceEvent.Delivered d && d.type().equals("ProduceRequest")) {
                Matcher m = PARTITIONS.matcher(d.message());
                assertThat(m.find()).isTrue();
                produceRequests.add(new String[] {Long.toString(d.time()), d.to(), m.group(1)});
            }
        });
        // Every produce answer takes 200 ms more: the connections fill up, and the batches wait in the accumulator.
        List<dev.faultline.core.kernel.NodeId> brokers = List.of(c.brokerNode(1), c.brokerNode(2), c.brokerNode(3));
        c.sim().network().addLinkFault(brokers, List.of(c.sim().node("producer")),
                new LinkFault(Time.millis(200), 0, 0, 0, java.util.Set.of("ProduceResponse")));
        c.start();
        c.runFor(Time.seconds(3));
        c.assertNoViolation();
        assertThat(c.history().ackedCount()).isEqualTo(3000);
        Map<String, Integer> earlyRequests = new TreeMap<>();
        int multiPartition = 0;
        long first = Long.parseLong(produceRequests.get(0)[0]);
        for (String[] r : produceRequests) {
            if (Long.parseLong(r[0]) < first + Time.millis(150)) {
                earlyRequests.merge(r[1], 1, Integer::sum);
            }
            int partitions = r[2].split(",").length;
            multiPartition += partitions > 1 ? 1 : 0;
            for (String p : r[2].split(",")) {
                assertThat(c.spec().replica(Integer.parseInt(p.trim()), 0)).as("a request goes to its partitions' leader")
                        .isEqualTo(ClusterSpec.brokerIdOf(r[1]));
            }
        }
        assertThat(earlyRequests).hasSize(3).allSatisfy((broker, count) -> assertThat(count).isEqualTo(5));
        assertThat(multiPartition).isPositive();
        assertThat(produceRequests.size()).as("records travel in batches: far fewer requests than records").isLessThan(1000);
    }

    @Test
    void batchesWaitingForAFreeSlotGoWhenAnAnswerFreesOneEvenWithNoNewRecord() {
        // One request in flight per connection, answers 200 ms late, all 1000 records produced in the first 100 ms:
        // after that only answers can set the waiting batches going.
        int n = 100;
        KafkaCluster c = cluster(n, ProducerConfig.of(all(n), 10_000, 1000,
                Map.of("acks", "all", "partitioner.class", ProducerConfig.ROUND_ROBIN, "max.in.flight.requests.per.connection", "1",
                        "max.request.size", "2000")));
        List<dev.faultline.core.kernel.NodeId> brokers = List.of(c.brokerNode(1), c.brokerNode(2), c.brokerNode(3));
        c.sim().network().addLinkFault(brokers, List.of(c.sim().node("producer")),
                new LinkFault(Time.millis(200), 0, 0, 0, java.util.Set.of("ProduceResponse")));
        c.start();
        c.runFor(Time.seconds(10));
        c.assertNoViolation();
        assertThat(c.history().ackedCount()).isEqualTo(1000);
    }

    @Test
    void afterStartMetadataIsAskedOnlyForThePartitionsThatNeedALeader() {
        int n = 6000;
        KafkaCluster c = cluster(n, ProducerConfig.of(all(n), 300, Long.MAX_VALUE, "all"));
        IntArrayList asked = new IntArrayList();
        c.sim().tracer().addSink(e -> {
            if (e instanceof TraceEvent.Delivered d && d.type().equals("MetadataRequest") && d.from().equals("producer")) {
                Matcher m = PARTITIONS.matcher(d.message());
                assertThat(m.find()).isTrue();
                asked.add(m.group(1).split(",").length);
            }
        });
        c.start();
        c.runFor(Time.seconds(3));
        c.crash(c.spec().replica(c.history().operations().get(c.history().operations().size() - 1).partition(), 0));
        c.runFor(Time.seconds(10));
        c.assertNoViolation();
        assertThat(asked.getInt(0)).as("the first request asks for every partition").isEqualTo(n);
        assertThat(asked.size()).as("the crash made the producer ask again").isGreaterThan(1);
        for (int k = 1; k < asked.size(); k++) {
            assertThat(asked.getInt(k)).isLessThan(5);
        }
        assertThat(c.history().failedCount()).isZero();
    }
}

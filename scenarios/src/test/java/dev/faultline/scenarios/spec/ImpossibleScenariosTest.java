package dev.faultline.scenarios.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Well-formed scenarios that cannot run as written are refused with a message at the spot, each
 * beside a twin that differs only in what makes it possible and is accepted.
 */
class ImpossibleScenariosTest {
    static final String KRAFT = "name: x\nduration: 60s\ncluster: {mode: kraft, brokers: 3, controllers: 3, racks: [a, b, c]}\n"
            + "topics: [{name: t, partitions: 2, replication.factor: 3}]\n";

    private static List<Problem> problems(String yaml) {
        try {
            ScenarioLoader.parse("s.yaml", yaml);
            return List.of();
        } catch (ScenarioException e) {
            return e.problems();
        }
    }

    private static void refused(String yaml, int line, String message) {
        assertThat(problems(yaml)).as(yaml).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(line);
            assertThat(p.message()).contains(message);
        });
    }

    private static void accepted(String yaml) {
        assertThatCode(() -> ScenarioLoader.parse("s.yaml", yaml)).as(yaml).doesNotThrowAnyException();
    }

    @Test
    void replicationFactorAboveTheBrokerCount() {
        refused(KRAFT.replace("replication.factor: 3", "replication.factor: 4"), 4, "replication.factor 4 is above the number of brokers (3)");
        accepted(KRAFT);
    }

    @Test
    void minInsyncReplicasAboveTheReplicationFactorWithAnAcksAllProducer() {
        String base = KRAFT.replace("replication.factor: 3}", "replication.factor: 2, config: {min.insync.replicas: 3}}");
        refused(base + "workload: [{producer: {topic: t, acks: all}}]\n", 5,
                "topic 't' has min.insync.replicas 3 above its replication.factor 2: no acks=all write to it can ever be acknowledged");
        refused(KRAFT.replace("racks: [a, b, c]}", "racks: [a, b, c], config: {min.insync.replicas: 4}}") + "workload: [{producer: {topic: t}}]\n",
                5, "min.insync.replicas 4 above its replication.factor 3");
        accepted(base + "workload: [{producer: {topic: t, acks: 1}}]\n");
        accepted(base.replace("min.insync.replicas: 3", "min.insync.replicas: 2") + "workload: [{producer: {topic: t, acks: all}}]\n");
    }

    @Test
    void versionsAModeDoesNotModelAreRefusedWithTheValidOnes() {
        String zk = KRAFT.replace("mode: kraft, brokers: 3, controllers: 3,", "mode: zookeeper, brokers: 3,");
        refused(zk.replace("mode: zookeeper,", "mode: zookeeper, version: \"4.0\","), 3,
                "ZooKeeper mode exists only in Kafka 3.x (Kafka 4.0 removed it, KIP-833); valid: 3.9");
        accepted(zk.replace("mode: zookeeper,", "mode: zookeeper, version: \"3.9\","));
        accepted(zk);
        refused(KRAFT.replace("mode: kraft,", "mode: kraft, version: \"3.7\","), 3, "'version' is a Kafka release this simulator models: 3.9, 4.0, not '3.7'");
        accepted(KRAFT.replace("mode: kraft,", "mode: kraft, version: 4.0,"));
        accepted(KRAFT.replace("mode: kraft,", "mode: oracle, version: \"4.0\",").replace("controllers: 3, ", ""));
    }

    @Test
    void thePreVotePlantedBugNeedsAVersionWithPreVote() {
        refused(KRAFT + "bugs: [raft.noPreVote]\n", 3, "raft.noPreVote reverts pre-vote (KIP-996), which Kafka 3.9 does not have");
        refused(KRAFT.replace("mode: kraft,", "mode: kraft, version: \"3.9\",") + "bugs: [raft.noPreVote]\n", 3, "say cluster.version: \"4.0\"");
        accepted(KRAFT.replace("mode: kraft,", "mode: kraft, version: \"4.0\",") + "bugs: [raft.noPreVote]\n");
    }

    @Test
    void aCombinedQuorumLargerThanTheBrokers() {
        refused(KRAFT.replace("controllers: 3,", "controllers: 5, combined: true,"), 3, "combined mode needs at least as many brokers as controllers (5 > 3)");
        accepted(KRAFT.replace("controllers: 3,", "controllers: 3, combined: true,"));
    }

    @Test
    void aMinorityOfAQuorumOfOneIsNobody() {
        String fault = "faults: [{at: 1s, crash: minority}]\n";
        refused(KRAFT.replace("controllers: 3", "controllers: 1") + fault, 5, "'minority' of a quorum of 1 names no node");
        refused(KRAFT.replace("mode: kraft, brokers: 3, controllers: 3", "mode: zookeeper, brokers: 3, zookeeper: 1") + fault, 5,
                "'minority' of a quorum of 1 names no node");
        accepted(KRAFT + fault);
        accepted(KRAFT.replace("controllers: 3", "controllers: 1") + "faults: [{at: 1s, crash: majority}]\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "kraft, brokers: 3, controllers: 3 | zk-1 | ZooKeeper nodes exist only in mode zookeeper",
        "kraft, brokers: 3, controllers: 3 | zk-leader | ZooKeeper nodes exist only in mode zookeeper",
        "kraft, brokers: 3, controllers: 3, combined: true | controller-1 | controller voters exist only in mode kraft (dedicated)",
        "zookeeper, brokers: 3 | controller-1 | controller voters exist only in mode kraft (dedicated)",
        "zookeeper, brokers: 3 | raft-leader | controller voters exist only in mode kraft (dedicated)",
        "oracle, brokers: 3 | zk-1 | ZooKeeper nodes exist only in mode zookeeper",
        "oracle, brokers: 3 | random-voter | controller voters exist only in mode kraft (dedicated)",
        "oracle, brokers: 3 | majority | unknown target 'majority'",
        "kraft, brokers: 3, controllers: 3 | broker-4 | unknown target 'broker-4'",
        "zookeeper, brokers: 3, zookeeper: 3 | zk-4 | unknown target 'zk-4'"})
    void faultsOnNodesThatDoNotExistInThatMode(String cluster, String target, String message) {
        String yaml = "name: x\ncluster: {mode: " + cluster + "}\nfaults: [{at: 1s, crash: " + target + "}]\n";
        refused(yaml, 3, message);
    }

    @Test
    void zookeeperOnlyFaultsInOtherModes() {
        refused(KRAFT + "faults: [{at: 1s, pause-controller-thread: {target: active-controller}}]\n", 5,
                "'pause-controller-thread' is a ZooKeeper-mode fault");
        refused(KRAFT + "faults: [{at: 1s, force-controller-election: {}}]\n", 5, "'force-controller-election' is a ZooKeeper-mode fault");
        accepted(KRAFT.replace("mode: kraft, brokers: 3, controllers: 3", "mode: zookeeper, brokers: 3")
                + "faults: [{at: 1s, force-controller-election: {}}]\n");
    }

    @Test
    void aControllerThreadPauseOfSomethingThatIsNotABroker() {
        String zk = KRAFT.replace("mode: kraft, brokers: 3, controllers: 3", "mode: zookeeper, brokers: 3, zookeeper: 3");
        refused(zk + "faults: [{at: 1s, pause-controller-thread: {target: majority}, for: 1s}]\n", 5,
                "'pause-controller-thread' pauses the controller thread of a broker, but 'majority' is not a broker");
        refused(zk + "faults: [{at: 1s, pause-controller-thread: {target: zk-leader}, for: 1s}]\n", 5, "'zk-leader' is not a broker");
        accepted(zk + "faults: [{at: 1s, pause-controller-thread: {target: active-controller}, for: 1s}]\n");
    }

    @Test
    void aProducerBootstrappingFromBrokersThatDoNotExist() {
        refused(KRAFT + "workload: [{producer: {topic: t, config: {bootstrap.servers: minority}}}]\n", 5,
                "'bootstrap.servers' lists broker node names separated by commas (broker-1,broker-2), not 'minority'");
        refused(KRAFT + "workload: [{producer: {topic: t, config: {bootstrap.servers: 'broker-2,broker-9'}}}]\n", 5,
                "'bootstrap.servers' names broker-9, but the brokers are broker-1..broker-3");
        accepted(KRAFT + "workload: [{producer: {topic: t, config: {bootstrap.servers: 'broker-2, broker-3'}}}]\n");
    }

    @Test
    void aRackWithoutBrokers() {
        String two = KRAFT.replace("brokers: 3", "brokers: 2").replace("replication.factor: 3", "replication.factor: 2");
        refused(two + "faults: [{at: 1s, crash: rack(c)}]\n", 5, "'rack(c)': rack 'c' has no broker (2 brokers over 3 racks, assigned round-robin)");
        accepted(two + "faults: [{at: 1s, crash: rack(b)}]\n");
    }

    @Test
    void aFaultRepeatedTooOftenOrEndingBeforeItStarts() {
        refused(KRAFT + "faults: [{at: 0s, restart: broker-1, every: 1ns}]\n", 5, "the fault would fire 60000000001 times");
        refused(KRAFT + "faults: [{at: 10s, restart: broker-1, every: 1s, until: 5s}]\n", 5, "'until' (5s) is before 'at' (10s)");
        accepted(KRAFT + "faults: [{at: 0s, restart: broker-1, every: 1ms}]\n");
    }

    @Test
    void durationsSoLongThatATimePlusThemWouldWrapAround() {
        refused(KRAFT + "faults: [{at: 30s, crash: broker-1, for: 153722867m}]\n", 5, "'for': '153722867m' is longer than 100 years");
        refused(KRAFT + "faults: [{at: 0s, restart: broker-1, every: 153722867m}]\n", 5, "'every': '153722867m' is longer than 100 years");
        accepted(KRAFT + "faults: [{at: 30s, crash: broker-1, for: 876000h}]\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "broker.session.timeout.ms: abc | 'broker.session.timeout.ms' must be a whole number between 1 and 2147483647, not 'abc'",
        "broker.session.timeout.ms: 99999999999999999999 | must be a whole number between 1 and 2147483647",
        "broker.session.timeout.ms: -1 | 'broker.session.timeout.ms' must be between 1 and 2147483647, not -1",
        "broker.heartbeat.interval.ms: 0 | 'broker.heartbeat.interval.ms' must be between 1 and 2147483647, not 0",
        "tickTime: 0 | 'tickTime' must be between 1 and 2147483647, not 0",
        "min.insync.replicas: 0 | 'min.insync.replicas' must be between 1 and 2147483647, not 0",
        "replica.lag.time.max.ms: 1e309 | must be a whole number",
        "replica.lag.time.max.ms: 1 | 'replica.lag.time.max.ms' must be between 2 and 2147483647, not 1",
        "replica.lag.time.max.ms: -0 | 'replica.lag.time.max.ms' must be between 2 and 2147483647, not 0",
        "unclean.leader.election.enable: yes | 'unclean.leader.election.enable' must be true or false, not 'yes'",
        "raft.noPreVote: 1 | 'raft.noPreVote' must be true or false",
        "acks: 2 | 'acks' must be 0, 1 or all, not '2'",
        "leader.imbalance.per.broker.percentage: 101 | must be between 0 and 100",
        "forceSync: true | 'forceSync' is not modelled: a ZooKeeper server here always fsyncs",
        "forceSync: no | 'forceSync' is not modelled",
        "zookeeper.cnxTimeout: 5000 | 'zookeeper.cnxTimeout' is not modelled",
        "zookeeper.connection.timeout.ms: 18000 | 'zookeeper.connection.timeout.ms' is not modelled",
        "enable.idempotence: true | 'enable.idempotence' is not modelled: producers here send without producer ids",
        "metadata.max.age.ms: 300000 | 'metadata.max.age.ms' is not modelled",
        "replica.fetch.min.bytes: 1 | 'replica.fetch.min.bytes' is not modelled",
        "num.replica.fetchers: 2 | 'num.replica.fetchers' is not modelled",
        "default.replication.factor: 3 | 'default.replication.factor' is not modelled"})
    void configurationValuesThatNoRunCouldRead(String setting, String message) {
        refused("name: x\ncluster:\n  mode: kraft\n  config: {" + setting + "}\n", 4, message);
    }

    @Test
    void configurationValuesAtTheirLimitsAreAccepted() {
        accepted("name: x\ncluster:\n  mode: kraft\n  config: {broker.session.timeout.ms: 2147483647, faultline.oracle.detection.delay.ms: 0,"
                + " log.flush.interval.messages: 9223372036854775807, unclean.leader.election.enable: TRUE, acks: -1,"
                + " zookeeper.fastleader.minNotificationInterval: 1, zookeeper.fastleader.maxNotificationInterval: 2147483647}\n");
    }

    @Test
    void linksAndClocksOutsideWhatTheNetworkAndNodesCanDo() {
        refused("name: x\ncluster: {mode: oracle, network: {bandwidth: 0.000000001bps}}\n", 2, "must lie between 1bps and 1000Tbps");
        refused(KRAFT + "faults: [{at: 1s, clock: {target: broker-1, drift-ppm: 1000000}}]\n", 5, "drift-ppm must lie between -999999 and 999999");
        refused(KRAFT + "faults: [{at: 1s, slow: {target: broker-1, factor: Infinity}}]\n", 5, "factor must be positive and at most 1000000");
        accepted(KRAFT + "faults: [{at: 1s, clock: {target: broker-1, drift-ppm: 999999}}, {at: 2s, slow: {target: broker-1, factor: 1000000}}]\n");
    }
}

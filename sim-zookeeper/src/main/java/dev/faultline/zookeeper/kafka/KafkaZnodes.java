package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.PartitionState;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;

/**
 * The znodes Kafka uses (model-spec §A.8) and the encoding of their data. Simplification: compact
 * text instead of Kafka's JSON; sizes are charged per partition, not per byte of JSON.
 */
final class KafkaZnodes {
    static final String CONTROLLER = "/controller";
    static final String CONTROLLER_EPOCH = "/controller_epoch";
    static final String BROKERS = "/brokers";
    static final String BROKER_IDS = "/brokers/ids";
    static final String TOPICS = "/brokers/topics";

    private KafkaZnodes() {
    }

    static String brokerPath(int brokerId) {
        return BROKER_IDS + "/" + brokerId;
    }

    static String topicPath(String topic) {
        return TOPICS + "/" + topic;
    }

    static String partitionsPath(String topic) {
        return topicPath(topic) + "/partitions";
    }

    static String partitionPath(String topic, int partitionInTopic) {
        return partitionsPath(topic) + "/" + partitionInTopic;
    }

    static String statePath(String topic, int partitionInTopic) {
        return partitionPath(topic, partitionInTopic) + "/state";
    }

    /** The content of a partition state znode: leader, leader_epoch, controller_epoch and isr. */
    record StateData(int leader, int leaderEpoch, int controllerEpoch, IntList isr) {
        String encode() {
            StringBuilder sb = new StringBuilder();
            sb.append(leader).append(',').append(leaderEpoch).append(',').append(controllerEpoch).append(',');
            for (int i = 0; i < isr.size(); i++) {
                if (i > 0) {
                    sb.append(':');
                }
                sb.append(isr.getInt(i));
            }
            return sb.toString();
        }

        static StateData decode(String data) {
            String[] f = data.split(",", -1);
            IntArrayList isr = new IntArrayList();
            if (!f[3].isEmpty()) {
                for (String m : f[3].split(":")) {
                    isr.add(Integer.parseInt(m));
                }
            }
            return new StateData(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), isr);
        }

        /** The control plane's view: partition epoch = the znode's version. */
        PartitionState toState(int partition, int zkVersion) {
            return new PartitionState(partition, leader, leaderEpoch, isr, zkVersion);
        }
    }
}

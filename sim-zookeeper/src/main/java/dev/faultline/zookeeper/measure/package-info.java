/**
 * Measurements of a bare ZooKeeper ensemble outside any Kafka cluster: how long it takes to have a
 * new established leader after its leader crashes, with the phases in between, while a client keeps
 * writing and every safety invariant stays on.
 */
package dev.faultline.zookeeper.measure;

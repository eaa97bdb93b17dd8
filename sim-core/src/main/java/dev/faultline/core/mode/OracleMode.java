package dev.faultline.core.mode;

import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.OracleControlPlane;
import java.util.List;
import java.util.Map;

/**
 * The oracle ({@code cluster.mode: oracle}): the omniscient {@link OracleControlPlane}, the lower
 * bound the real modes are measured against. It adds no node, role, fault or planted bug; its one
 * setting, {@code faultline.oracle.detection.delay.ms}, is a data-plane default
 * ({@code KafkaConfig}) because the control plane reads it through the cluster's configuration.
 * It runs every version: a version changes only the data plane's client defaults here
 * ({@link KafkaVersion#clientDefaults()}).
 */
public final class OracleMode implements MetadataMode {
    @Override
    public String name() {
        return "oracle";
    }

    @Override
    public String title() {
        return "oracle";
    }

    @Override
    public Run build(Layout layout, KafkaVersion version, Map<String, String> config, List<String> bugs) {
        OracleControlPlane cp = new OracleControlPlane();
        return new Run() {
            @Override
            public ControlPlane controlPlane() {
                return cp;
            }
        };
    }
}

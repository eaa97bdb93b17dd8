package dev.faultline.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonReportTest {
    @Test
    void percentilesAreNearestRankOverObservedValues() {
        long[] v = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i;
        }
        Distribution d = Distribution.of(v);
        assertThat(d.count()).isEqualTo(100);
        assertThat(d.min()).isEqualTo(1);
        assertThat(d.p50()).isEqualTo(50);
        assertThat(d.p90()).isEqualTo(90);
        assertThat(d.p99()).isEqualTo(99);
        assertThat(d.max()).isEqualTo(100);
        assertThat(d.mean()).isEqualTo(50.5);
        assertThat(Distribution.of(new long[] {7}).p99()).isEqualTo(7);
    }

    private static Comparison sample() {
        Comparison c = new Comparison("controller crash, 3 seeds");
        c.metric("detect", Comparison.Unit.NANOS).metric("elections", Comparison.Unit.COUNT);
        for (long s = 1; s <= 3; s++) {
            c.add("crash active-controller at 30s", "detect", "kraft", s * Time.SECOND);
            c.add("crash active-controller at 30s", "detect", "zookeeper", 18 * Time.SECOND + s);
            c.add("crash active-controller at 30s", "elections", "kraft", s);
        }
        c.addMissing("crash active-controller at 30s", "detect", "zookeeper");
        c.note("seeds", "1..3");
        return c;
    }

    @Test
    void tableCsvJsonAndHtmlCarryTheSameFigures(@TempDir Path dir) throws Exception {
        Comparison c = sample();
        String table = ComparisonReport.table(c);
        assertThat(table).contains("crash active-controller at 30s", "detect (ms)", "kraft", "1000.000", "2000.000", "3000.000",
                "18000.000", "(+1 never)", "seeds: 1..3");
        String csv = ComparisonReport.csv(c);
        assertThat(csv.lines()).contains("crash active-controller at 30s,detect,ms,kraft,3,0,1000.000,2000.000,3000.000,3000.000,3000.000,2000.000",
                "crash active-controller at 30s,elections,count,kraft,3,0,1,2,3,3,3,2.000");
        assertThat(ComparisonReport.json(c)).contains("\"metric\":\"detect\"", "\"p50\":2000000000", "\"missing\":1");
        ComparisonReport.writeAll(c, dir);
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg", "kraft", "zookeeper").endsWith("</html>\n");
        assertThat(dir.resolve("comparison.csv")).hasContent(csv.trim());
    }
}

package dev.faultline.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/** Cases declared on a sweep axis are also shown as each metric against the axis, per series. */
class SweepReportTest {
    private static Comparison sweep() {
        Comparison c = new Comparison("sweep");
        c.metric("ready", Comparison.Unit.NANOS).metric("elections", Comparison.Unit.COUNT);
        c.sweepAxis("partitions");
        for (long p : new long[] {1_000, 100_000, 2_000_000}) {
            String kase = "controller failure at 10s (" + p + " partitions)";
            c.sweepCase(kase, "controller failure at 10s", p);
            c.add(kase, "ready", "zookeeper", p * Time.MILLISECOND / 10);
            c.add(kase, "ready", "kraft", 2 * Time.SECOND);
            c.add(kase, "elections", "kraft", 3);
        }
        c.addMissing("controller failure at 10s (2000000 partitions)", "ready", "zookeeper");
        return c;
    }

    @Test
    void theSweepTableGivesTheMedianAtEachPointAndCountsRunsThatNeverGotThere() {
        String t = ComparisonReport.sweepTable(sweep());
        assertThat(t).contains("controller failure at 10s: median by partitions");
        assertThat(t).containsPattern("metric +mode +1k +100k +2m");
        assertThat(t).containsPattern("ready \\(ms\\) +zookeeper +100\\.000 +10000\\.000 +200000\\.000 \\(1 never\\)");
        assertThat(t).containsPattern("\\n +kraft +2000\\.000 +2000\\.000 +2000\\.000\\n");
        assertThat(t).containsPattern("elections +kraft +3 +3 +3");
    }

    @Test
    void theHtmlReportDrawsEachDurationAgainstTheAxis() {
        String h = ComparisonReport.html(sweep());
        assertThat(h).contains("<h2>Against partitions</h2>", "<h3>controller failure at 10s</h3>", "ready (median, ms)");
        assertThat(h).containsPattern("<path d=\"M[0-9. ]+ L[0-9. ]+ L[0-9. ]+\" fill=\"none\" stroke=\"#1f77b4\"");
        assertThat(h).contains("<title>zookeeper 2m: 200000.000 ms</title>");
    }

    @Test
    void aComparisonWithoutASweepHasNoSweepTable() {
        Comparison c = new Comparison("one size");
        c.add("broker failure at 40s", "detect", "kraft", 7 * Time.SECOND);
        assertThat(c.isSweep()).isFalse();
        assertThat(ComparisonReport.sweepTable(c)).isEmpty();
        assertThat(ComparisonReport.html(c)).doesNotContain("Against");
        Comparison one = new Comparison("one point");
        one.sweepCase("x (1000 partitions)", "x", 1000);
        assertThat(one.isSweep()).isFalse();
    }
}

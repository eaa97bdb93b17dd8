package dev.faultline.scenarios.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.faultline.core.trace.AtomicFileWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a sweep is, written at the top of every shard's {@code runs.json}: shards of the same sweep
 * have equal headers but for {@code shard}, which {@code faultline merge} checks.
 *
 * @param format the file format version
 * @param title the comparison's title
 * @param notes the lines printed under the tables (scenario, cost model, faults, timing)
 * @param scenarios the scenarios' names, in order
 * @param modes the modes compared
 * @param seeds seeds per mode
 * @param partitions the sweep's partition counts (empty when not sweeping)
 * @param total runs in the whole sweep
 * @param shard {@code i/n}: which runs this machine ran (run k belongs to shard k mod n)
 */
record SweepHeader(int format, String title, List<Note> notes, List<String> scenarios, List<String> modes, int seeds, List<Integer> partitions,
                   int total, String shard) {
    static final int FORMAT = 1;

    SweepHeader {
        notes = List.copyOf(notes);
        scenarios = List.copyOf(scenarios);
        modes = List.copyOf(modes);
        partitions = List.copyOf(partitions);
    }

    /** A line under the tables. */
    record Note(String name, String value) {
    }

    /** The same sweep, any shard. */
    SweepHeader identity() {
        return new SweepHeader(format, title, notes, scenarios, modes, seeds, partitions, total, "");
    }

    /** A shard's {@code runs.json}: the header and the runs it ran. */
    record File(SweepHeader header, List<SweepRun> runs) {
        File {
            runs = List.copyOf(runs);
        }

        static final String NAME = "runs.json";

        void write(Path dir) throws IOException {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            AtomicFileWriter.write(dir.resolve(NAME), json.writeValueAsString(this) + "\n");
        }

        static File read(Path dir) throws IOException {
            Path f = Files.isDirectory(dir) ? dir.resolve(NAME) : dir;
            return new ObjectMapper().readValue(f.toFile(), File.class);
        }
    }
}

package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.fuzz.Campaign;
import dev.faultline.scenarios.fuzz.ScheduleGenerator;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * {@code --junit-xml} of run, fuzz and compare: every report validates against the JUnit XML
 * schema that Jenkins' xUnit plugin reads (src/test/resources/junit-10.xsd, source named in the
 * file), has one test case per expectation, finding or run, and carries each failure's message and
 * replay command. The file appears whole: no temporary file is left beside it.
 */
class JunitXmlTest {
    private static final Schema SCHEMA = schema();

    private static Schema schema() {
        try {
            return SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                    .newSchema(JunitXmlTest.class.getResource("/junit-10.xsd"));
        } catch (SAXException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Validates against the schema and parses. */
    static Document valid(String xml) throws Exception {
        SCHEMA.newValidator().validate(new StreamSource(new StringReader(xml)));
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    @Test
    void theSchemaRejectsWhatCiToolsCannotRead() {
        // the validation can fail: a testcase without a name, and a testsuite without its test count
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> valid("<testsuites><testsuite tests=\"1\"><testcase/></testsuite></testsuites>"))
                .isInstanceOf(SAXException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> valid("<testsuites><testsuite><testcase name=\"x\"/></testsuite></testsuites>"))
                .isInstanceOf(SAXException.class);
    }

    @Test
    void runWritesOneCaseperExpectationWithTheFailureAndItsReplay(@TempDir Path dir) throws Exception {
        Path failing = dir.resolve("failing.yaml");
        Files.writeString(failing, Files.readString(Path.of("library/broker-crash-rf3.yaml")).replace("name: broker-crash-rf3", "name: failing")
                .replaceAll("(?s)expect:.*", "expect:\n  - expect-violation: DP-S1\n  - produce-acknowledged\n"));
        Path invalid = dir.resolve("invalid.yaml");
        Files.writeString(invalid, "name: invalid\ncluster:\n  brokrs: 3\n");
        Path report = dir.resolve("reports/run.xml");
        CliTest.Outcome o = CliTest.run("run", "library/broker-crash-rf3.yaml", failing.toString(), invalid.toString(), "--out",
                dir.resolve("runs").toString(), "--junit-xml", report.toString());
        assertThat(o.code()).isEqualTo(Main.BAD_INPUT);
        Document d = valid(Files.readString(report));
        NodeList cases = d.getElementsByTagName("testcase");
        // broker-crash-rf3: 5 expectations; failing: 2; invalid: 1
        assertThat(cases.getLength()).isEqualTo(8);
        Element suite = (Element) d.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("tests")).isEqualTo("8");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(suite.getAttribute("errors")).isEqualTo("1");
        Element failure = (Element) d.getElementsByTagName("failure").item(0);
        assertThat(((Element) failure.getParentNode()).getAttribute("classname")).isEqualTo("faultline.run.failing");
        assertThat(((Element) failure.getParentNode()).getAttribute("name")).isEqualTo("expect-violation: DP-S1");
        assertThat(failure.getAttribute("message")).isEqualTo("no invariant stopped the run");
        assertThat(failure.getTextContent()).contains("replay: ./faultline run " + failing + " --seed ");
        Element error = (Element) d.getElementsByTagName("error").item(0);
        assertThat(error.getTextContent()).contains("unknown key 'brokrs'");
        try (Stream<Path> left = Files.list(report.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("run.xml");
        }
    }

    @Test
    void aJunitXmlPathThatIsADirectoryIsRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        CliTest.Outcome o = CliTest.run("run", "library/broker-crash-rf3.yaml", "--out", dir.resolve("runs").toString(), "--junit-xml", dir.toString());
        assertThat(o.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(o.err()).contains("--junit-xml " + dir + " is a directory");
        assertThat(dir.resolve("runs")).doesNotExist();
    }

    @Test
    void fuzzListsEachFindingAndSkipsTheHazardsThatDoNotFailTheCampaign(@TempDir Path out) throws Exception {
        Campaign.Options options = new Campaign.Options(ScheduleGenerator.Options.of(null, List.of()), 26, 0, 1, 1, 5 * Time.MINUTE, 1, out, 3);
        Campaign.Summary summary = new Campaign(options, new PrintWriter(new StringWriter())).run();
        Document bug = valid(JunitXml.render("faultline fuzz", FuzzCommand.junitCases(summary, ViolationClass.BUG, out)));
        assertThat(bug.getElementsByTagName("failure").getLength()).isZero();
        Element skipped = (Element) bug.getElementsByTagName("skipped").item(0);
        assertThat(skipped.getAttribute("message")).startsWith("HAZARD (KIP-966): hazard-zk-unclean-shutdown-leader-DP-S1, generator seed 26")
                .endsWith("does not fail under --fail-on bug");
        assertThat(skipped.getTextContent()).contains("replay: ./faultline run " + out.resolve("hazard-zk-unclean-shutdown-leader-DP-S1-seed-26")
                .resolve("scenario.yaml"));
        Document hazard = valid(JunitXml.render("faultline fuzz", FuzzCommand.junitCases(summary, ViolationClass.HAZARD, out)));
        assertThat(hazard.getElementsByTagName("failure").getLength()).isEqualTo(summary.failures().size());
        assertThat(hazard.getElementsByTagName("skipped").getLength()).isZero();
    }

    @Test
    void compareWritesOneCasePerRun(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("compare.xml");
        CliTest.Outcome o = CliTest.run("compare", "library/broker-crash-rf3.yaml", "--modes", "oracle", "--seeds", "2", "--out",
                dir.resolve("out").toString(), "--junit-xml", report.toString());
        assertThat(o.code()).as(o.err()).isZero();
        Document d = valid(Files.readString(report));
        NodeList cases = d.getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(2);
        assertThat(((Element) cases.item(0)).getAttribute("classname")).isEqualTo("faultline.compare.broker-crash-rf3");
        assertThat(((Element) cases.item(0)).getAttribute("name")).matches("oracle seed [0-9]+");
        assertThat(d.getElementsByTagName("failure").getLength()).isZero();
    }

    @Test
    void textThatXmlCannotHoldIsReplacedNotLeftToBreakTheFile() throws Exception {
        String xml = JunitXml.render("s", List.of(new JunitXml.Case("c", "a <b> & \"c\"", 0, JunitXml.Outcome.FAILED, "bell \u0007 here", "BUG",
                "escape \u001b[31mred\u001b[0m ]]> end")));
        Document d = valid(xml);
        Element f = (Element) d.getElementsByTagName("failure").item(0);
        assertThat(f.getAttribute("message")).isEqualTo("bell ? here");
        assertThat(f.getTextContent()).isEqualTo("escape ?[31mred?[0m ]]> end");
        assertThat(((Element) f.getParentNode()).getAttribute("name")).isEqualTo("a <b> & \"c\"");
    }
}

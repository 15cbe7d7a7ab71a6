import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a desired-state repository of N manifests (default 10,000) for benchmarking {@code nvmesh validate}:
 * 1% drive and target classes (at most 100), 2% policies over every layout (at most 200), the rest volumes; 25 documents per file, files
 * spread over team folders. Deterministic: the same N gives the same files.
 *
 * <p>With {@code --single-volume}: N files under {@code volumes/}, each holding one Volume, and the classes and
 * policies they refer to in {@code policies/classes.yaml}. That is the shape a schema-only validator (ajv-cli, one
 * document per file) can read too, for side-by-side runs ({@code bench/validate-vs-ajv.sh}).
 *
 * <pre>java bench/GenerateManifests.java DIR [N] [--single-volume]</pre>
 */
public class GenerateManifests {

    static final String[][] LAYOUTS = {
        {"concatenated", ""},
        {"raid0", "  stripeWidth: 4\n"},
        {"raid1", "  mirrors: 1\n  domainScope: rack\n"},
        {"raid10", "  stripeWidth: 4\n  mirrors: 1\n  domainScope: rack\n"},
        {"erasure-coding", "  dataBlocks: 8\n  parityBlocks: 2\n"},
        {"striped-erasure-coding", "  stripeWidth: 2\n  dataBlocks: 4\n  parityBlocks: 2\n"},
    };

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        if (args.length > 2 && args[2].equals("--single-volume")) {
            singleVolumeFiles(dir, n);
            return;
        }
        // At most 100 classes and 200 policies: GenerateInventory's drives carry models m0..m100 in racks r0..r100,
        // so larger repositories (100,000 manifests for issue #20's scale target) add volumes, not unmatched classes.
        int classes = Math.min(100, Math.max(2, n / 100));
        int policies = Math.min(200, Math.max(6, n / 50));
        int volumes = n - 2 * classes - policies;
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            docs.add(head("DriveClass", "drives-" + i) + "  selector:\n    matchLabels:\n      media: tlc\n"
                    + "      model: m" + i + "\n  domains: [enclosure]\n");
        }
        write(dir.resolve("classes"), "drive", docs);
        for (int i = 0; i < classes; i++) {
            docs.add(head("TargetClass", "targets-" + i) + "  selector:\n    matchExpressions:\n"
                    + "      - key: rack\n        operator: In\n        values: [r" + i + ", r" + (i + 1) + "]\n");
        }
        write(dir.resolve("classes"), "target", docs);
        for (int i = 0; i < policies; i++) {
            String[] layout = LAYOUTS[i % LAYOUTS.length];
            docs.add(head("VolumePolicy", "policy-" + i) + "  layout: " + layout[0] + "\n" + layout[1]
                    + "  driveClasses: [drives-" + (i % classes) + "]\n  targetClasses: [targets-" + (i % classes)
                    + "]\n");
        }
        write(dir.resolve("policies"), "policy", docs);
        for (int i = 0; i < volumes; i++) {
            docs.add(volume(i, policies));
            if (docs.size() == 25 * 20) {
                write(dir.resolve("volumes/team-" + (i / 500)), "volumes", docs);
            }
        }
        write(dir.resolve("volumes/team-last"), "volumes", docs);
        System.out.println("wrote " + n + " manifests to " + dir);
    }

    /** N one-Volume files, and one file with the six policies (one per layout) and the two classes they use. */
    static void singleVolumeFiles(Path dir, int n) throws IOException {
        List<String> support = new ArrayList<>();
        support.add(head("DriveClass", "drives-0") + "  selector:\n    matchLabels:\n      media: tlc\n"
                + "  domains: [enclosure]\n");
        support.add(head("TargetClass", "targets-0") + "  selector:\n    matchExpressions:\n"
                + "      - key: rack\n        operator: In\n        values: [r0, r1]\n");
        for (int i = 0; i < LAYOUTS.length; i++) {
            support.add(head("VolumePolicy", "policy-" + i) + "  layout: " + LAYOUTS[i][0] + "\n" + LAYOUTS[i][1]
                    + "  driveClasses: [drives-0]\n  targetClasses: [targets-0]\n");
        }
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/classes.yaml"), String.join("---\n", support));
        Path volumes = dir.resolve("volumes");
        Files.createDirectories(volumes);
        for (int i = 0; i < n; i++) {
            Files.writeString(volumes.resolve(String.format("vol-%05d.yaml", i)), volume(i, LAYOUTS.length));
        }
        System.out.println("wrote " + n + " single-volume files and " + support.size() + " policies and classes to "
                + dir);
    }

    static String volume(int i, int policies) {
        return head("Volume", "vol-" + i) + "  policy: policy-" + (i % policies) + "\n  capacity: "
                + (1 + i % 512) + "GiB\n  clients: [host-a" + (i % 97) + ", host-b" + (i % 89) + "]\n"
                + "  rebuildPriority: " + (i % 11) + "\n";
    }

    static String head(String kind, String name) {
        return "apiVersion: nvmesh.io/v1\nkind: " + kind + "\nmetadata:\n  name: " + name
                + "\n  labels:\n    generated: \"true\"\nspec:\n";
    }

    static void write(Path dir, String prefix, List<String> docs) throws IOException {
        Files.createDirectories(dir);
        for (int f = 0; f * 25 < docs.size(); f++) {
            List<String> chunk = docs.subList(f * 25, Math.min(docs.size(), (f + 1) * 25));
            Files.writeString(dir.resolve(String.format("%s-%03d.yaml", prefix, f)), String.join("---\n", chunk));
        }
        docs.clear();
    }
}

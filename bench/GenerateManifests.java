import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a desired-state repository of N manifests (default 10,000) for benchmarking {@code nvmesh validate}:
 * 1% drive and target classes, 2% policies over every layout, the rest volumes; 25 documents per file, files
 * spread over team folders. Deterministic: the same N gives the same files.
 *
 * <pre>java bench/GenerateManifests.java DIR [N]</pre>
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
        int classes = Math.max(2, n / 100);
        int policies = Math.max(6, n / 50);
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
            docs.add(head("Volume", "vol-" + i) + "  policy: policy-" + (i % policies) + "\n  capacity: "
                    + (1 + i % 512) + "GiB\n  clients: [host-a" + (i % 97) + ", host-b" + (i % 89) + "]\n"
                    + "  rebuildPriority: " + (i % 11) + "\n");
            if (docs.size() == 25 * 20) {
                write(dir.resolve("volumes/team-" + (i / 500)), "volumes", docs);
            }
        }
        write(dir.resolve("volumes/team-last"), "volumes", docs);
        System.out.println("wrote " + n + " manifests to " + dir);
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

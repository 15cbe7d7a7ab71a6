import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an inventory that fits the repository {@link GenerateManifests} makes: T targets (default 1,000) of D drives
 * (default 24), in racks r0..r100 (ten targets each). Policy i of that repository wants drives of model m(i % 100) in
 * racks r(i % 100) and r(i % 100 + 1), so every target in rack rj carries half its drives as model mj and half as
 * m(j-1). Deterministic.
 *
 * <pre>java bench/GenerateInventory.java FILE [TARGETS] [DRIVES]</pre>
 */
public class GenerateInventory {

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        int targets = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int drives = args.length > 2 ? Integer.parseInt(args[2]) : 24;
        int racks = 101;
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("apiVersion: nvmesh.io/v1\nkind: Inventory\ntargets:\n");
            for (int t = 0; t < targets; t++) {
                int rack = t % racks;
                w.write("  - id: tgt-" + String.format("%04d", t) + "\n    labels: {rack: r" + rack + ", zone: z"
                        + (rack % 3) + "}\n    drives:\n");
                for (int d = 0; d < drives; d++) {
                    int model = d % 2 == 0 ? rack : Math.floorMod(rack - 1, racks);
                    w.write("      - serial: S" + String.format("%04d%02dX%06d", t, d, t * 31 + d) + "\n"
                            + "        capacity: 7.68TB\n"
                            + "        labels: {media: tlc, model: m" + model + ", enclosure: e" + t + "-" + d / 12
                            + "}\n");
                }
            }
            w.write("clients: []\n");
        }
        System.out.println("wrote " + targets + " targets x " + drives + " drives to " + file);
    }
}

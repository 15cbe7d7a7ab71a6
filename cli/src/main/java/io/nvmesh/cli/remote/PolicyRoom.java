package io.nvmesh.cli.remote;

import static io.nvmesh.core.state.CommitIds.shortId;

import io.nvmesh.api.LargestVolumeJson;
import io.nvmesh.schema.Size;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What fits now: {@code GET /v1/capacity/largest?policy=NAME}, the largest volume a policy can place on the recorded
 * state, as {@code get capacity --policy} shows it and {@code apply --wait} quotes it for a volume that does not fit.
 */
public final class PolicyRoom {

    private PolicyRoom() {
    }

    static LargestVolumeJson ask(ServerClient client, String policy) {
        return client.get("/v1/capacity/largest?policy=" + URLEncoder.encode(policy, StandardCharsets.UTF_8),
                LargestVolumeJson.class);
    }

    /**
     * {@code does not fit: the largest volume policy p can place now is 3.2 TiB}, rounded down so it never promises
     * more than fits; empty when the server cannot say (the reason of the failure stands on its own).
     */
    public static String doesNotFit(ServerClient client, String policy) {
        try {
            return "does not fit: the largest volume policy " + policy + " can place now is "
                    + Size.ofBytes(ask(client, policy).largestBytes()).humanAtMost();
        } catch (ServerException e) {
            return "";
        }
    }

    static void print(PrintWriter out, LargestVolumeJson body, Output output) {
        if (output == Output.JSON) {
            Rendering.json(out, body);
            return;
        }
        if (output == Output.YAML) {
            Rendering.yaml(out, body);
            return;
        }
        long bytes = body.largestBytes();
        Rendering.table(out, List.of("POLICY", "LAYOUT", "LARGEST VOLUME NOW", "BYTES"), List.of(List.of(
                body.policy(), body.layout(), Size.ofBytes(bytes).humanAtMost(), String.valueOf(bytes))));
        String state = body.stateCommit();
        out.println("on the recorded state at " + shortId(state) + ", answered by "
                + body.instance() + "; other volumes placed meanwhile take from it");
    }
}

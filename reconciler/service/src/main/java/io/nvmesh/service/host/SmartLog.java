package io.nvmesh.service.host;

import io.nvmesh.core.allocation.DriveHealth;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code nvme smart-log /dev/nvmeX -o json} says, reduced to what the protocol's drive health can carry.
 *
 * <ul>
 *   <li>{@code failed}: a critical warning that the drive's data is at risk: spare below threshold (bit 0),
 *       reliability degraded (bit 2), read-only (bit 3) or volatile backup failed (bit 4). The reconciler rebuilds
 *       its segments elsewhere.</li>
 *   <li>{@code cordoned}: over temperature (bit 1) or rated endurance used up ({@code percent_used} ≥ 100): the data
 *       is readable, but no new extents should go there.</li>
 *   <li>{@code ok} otherwise. Media errors are logged, not acted on: one unreadable block is the drive's to remap.</li>
 * </ul>
 *
 * @param criticalWarning the bit field, 0 when none
 * @param temperatureKelvin composite temperature as the drive reports it (Kelvin)
 */
record SmartLog(int criticalWarning, long mediaErrors, int percentUsed, int temperatureKelvin) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int DATA_AT_RISK = 0x01 | 0x04 | 0x08 | 0x10;
    private static final int TEMPERATURE = 0x02;

    /**
     * Parses nvme-cli's JSON (1.x writes numbers; 2.x may write {@code critical_warning} as an object with a
     * {@code value}).
     *
     * @throws IllegalArgumentException when it is not a smart log
     */
    static SmartLog parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("smart-log is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !root.has("critical_warning")) {
            throw new IllegalArgumentException("smart-log has no critical_warning");
        }
        JsonNode cw = root.get("critical_warning");
        int warning = cw.isObject() ? cw.path("value").asInt(0) : cw.asInt(0);
        JsonNode used = root.has("percent_used") ? root.get("percent_used") : root.path("percentage_used");
        return new SmartLog(warning, root.path("media_errors").asLong(0), used.asInt(0),
                root.path("temperature").asInt(0));
    }

    DriveHealth health() {
        if ((criticalWarning & DATA_AT_RISK) != 0) {
            return DriveHealth.FAILED;
        }
        if ((criticalWarning & TEMPERATURE) != 0 || percentUsed >= 100) {
            return DriveHealth.CORDONED;
        }
        return DriveHealth.OK;
    }

    /** Why the health is what it is, for the agent's log and its inventory print. */
    String why() {
        if ((criticalWarning & DATA_AT_RISK) != 0) {
            return "smart-log critical_warning 0x" + Integer.toHexString(criticalWarning);
        }
        if ((criticalWarning & TEMPERATURE) != 0) {
            return "smart-log temperature warning (" + (temperatureKelvin - 273) + " C)";
        }
        if (percentUsed >= 100) {
            return "smart-log percent_used " + percentUsed;
        }
        return "";
    }
}

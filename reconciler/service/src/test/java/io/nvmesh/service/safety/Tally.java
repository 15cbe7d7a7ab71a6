package io.nvmesh.service.safety;

import java.util.List;

/**
 * What one run of a case did and found: desired commits applied, the whole-history verdict (state commits and ref
 * moves checked, violations), and notes worth a line in the scenario's table (faults injected, retries).
 */
record Tally(String name, int applies, WholeHistory.Verdict verdict, List<String> notes) {

    Tally {
        notes = List.copyOf(notes);
    }
}

package dev.faultline.scenarios.spec;

import dev.faultline.core.check.catalog.InvariantCatalog;

/** What a scenario may name as an invariant: the ids of the invariant catalogue. */
final class InvariantIds {
    private InvariantIds() {
    }

    /** The problem with {@code id} as an expected violation, or {@code null} when it is catalogued. */
    static String problem(String id) {
        InvariantCatalog catalog = InvariantCatalog.standard();
        if (catalog.contains(id)) {
            return null;
        }
        return "unknown invariant '" + id + "'" + Suggest.didYouMean(id, catalog.ids()) + "; 'faultline invariants' lists the "
                + catalog.ids().size() + " ids";
    }
}

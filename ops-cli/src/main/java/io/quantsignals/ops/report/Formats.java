package io.quantsignals.ops.report;

import java.util.Locale;

/** How the report and compare print figures: the same text in both. */
final class Formats {

    private Formats() {
    }

    /** A return-like fraction as a percentage, e.g. 0.012345 → "1.235%" (3 decimals); null → "-". */
    static String percent(Double fraction) {
        return fixed(fraction == null ? null : fraction * 100, 3) + (fraction == null ? "" : "%");
    }

    /** A cost fraction as a percentage with 4 decimals (costs are small); null → "-". */
    static String costPercent(Double fraction) {
        return fixed(fraction == null ? null : fraction * 100, 4) + (fraction == null ? "" : "%");
    }

    /** A number with {@code decimals} decimals, never "-0.000"; null → "-". */
    static String fixed(Double value, int decimals) {
        if (value == null) {
            return "-";
        }
        String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
        return text.matches("-0\\.?0*") ? text.substring(1) : text;
    }
}

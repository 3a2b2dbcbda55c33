package io.quantsignals.ops.report;

import io.quantsignals.cli.Durations;
import io.quantsignals.core.analytics.RoundTrip;

import java.time.Duration;
import java.util.Locale;

/** How the report and compare print figures: the same text in both. */
public final class Formats {

    /** An analytic that is undefined for the data (README "Run analytics"), as opposed to "-", no data. */
    public static final String UNDEFINED = "n/a";

    private Formats() {
    }

    /** A return-like fraction as a percentage, e.g. 0.012345 → "1.235%" (3 decimals); null → "-". */
    public static String percent(Double fraction) {
        return fixed(fraction == null ? null : fraction * 100, 3) + (fraction == null ? "" : "%");
    }

    /** A cost fraction as a percentage with 4 decimals (costs are small); null → "-". */
    public static String costPercent(Double fraction) {
        return fixed(fraction == null ? null : fraction * 100, 4) + (fraction == null ? "" : "%");
    }

    /** An analytic fraction (annualised return, exposure, win rate, ...) as {@link #percent}; null → "n/a". */
    public static String analytic(Double fraction) {
        return fraction == null ? UNDEFINED : percent(fraction);
    }

    /** A ratio (Sharpe, Sortino, Calmar, profit factor) with 2 decimals; null → "n/a". */
    public static String ratio(Double value) {
        return value == null ? UNDEFINED : fixed(value, 2);
    }

    /** A duration in ms as "45s", "12m30s", "3h05m", "2d04h"; null → "n/a". */
    public static String duration(Long millis) {
        return millis == null ? UNDEFINED : Durations.format(Duration.ofMillis(millis));
    }

    /** A round trip as "+1.235% long 3h05m" (with its symbol first when {@code withSymbol}); null → "n/a". */
    public static String trip(RoundTrip t, boolean withSymbol) {
        if (t == null) {
            return UNDEFINED;
        }
        return (withSymbol ? t.symbol() + " " : "") + (t.pnl() > 0 ? "+" : "") + percent(t.pnl()) + " "
                + (t.direction() > 0 ? "long" : "short") + " " + duration(t.durationMillis());
    }

    /** A number with {@code decimals} decimals, never "-0.000"; null → "-". */
    public static String fixed(Double value, int decimals) {
        if (value == null) {
            return "-";
        }
        String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
        return text.matches("-0\\.?0*") ? text.substring(1) : text;
    }
}

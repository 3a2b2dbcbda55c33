package io.quantsignals.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The measured rounds of one figure (rates, higher is better): median, min and max. */
final class Stats {

    private final String name;
    private final String unit;
    private final List<Double> values = new ArrayList<>();

    Stats(String name, String unit) {
        this.name = name;
        this.unit = unit;
    }

    void add(double value) {
        values.add(value);
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    String name() {
        return name;
    }

    double median() {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    String row() {
        return row(0);
    }

    /** The row with this many decimals: {@link #row()} has none, small figures such as MB/s want some. */
    String row(int decimals) {
        return String.format(Locale.ROOT, "%-58s %11s %11s %11s  %s", name, fmt(median(), decimals),
                fmt(min(), decimals), fmt(max(), decimals), unit);
    }

    static String header() {
        return String.format(Locale.ROOT, "%-58s %11s %11s %11s", "", "median", "min", "max");
    }

    static String fmt(double v) {
        return fmt(v, 0);
    }

    static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}

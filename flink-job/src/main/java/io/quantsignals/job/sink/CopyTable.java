package io.quantsignals.job.sink;

import java.io.Serializable;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A table {@link CopyBatchWriter} writes: its name, the columns in the order the encoder writes
 * them, and the natural key (a unique index of the table) that makes re-delivered rows idempotent.
 * Builds the writer's SQL; the names are code constants, checked to be plain identifiers.
 */
public record CopyTable(String table, List<String> columns, List<String> keyColumns) implements Serializable {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");

    public CopyTable {
        if (table == null || !TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a plain table name: " + table);
        }
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        if (columns.isEmpty() || keyColumns.isEmpty()) {
            throw new IllegalArgumentException(table + ": columns and key columns must not be empty");
        }
        for (String column : columns) {
            if (!IDENTIFIER.matcher(column).matches() || column.equals("ord")) {
                throw new IllegalArgumentException(table + ": not a usable column name: " + column);
            }
        }
        if (columns.stream().distinct().count() != columns.size()) {
            throw new IllegalArgumentException(table + ": a column is listed twice: " + columns);
        }
        if (!columns.containsAll(keyColumns) || keyColumns.stream().distinct().count() != keyColumns.size()) {
            throw new IllegalArgumentException(table + ": the key " + keyColumns + " must be distinct columns of " + columns);
        }
        if (keyColumns.size() == columns.size()) {
            // Nothing to update: such a table wants INSERT ... ON CONFLICT DO NOTHING, not this writer.
            throw new IllegalArgumentException(table + ": every column is a key column; nothing to upsert");
        }
    }

    public static CopyTable of(String table, List<String> columns, List<String> keyColumns) {
        return new CopyTable(table, columns, keyColumns);
    }

    /** The fast path: straight into the table (its unique index rejects a key written before: 23505). */
    String copySql() {
        return "COPY " + table + " (" + columnList() + ") FROM STDIN (FORMAT binary)";
    }

    /** The session's staging table of the merge path. */
    String stageTable() {
        return "qs_stage_" + table.replace('.', '_');
    }

    /**
     * The staging table: the target's column types (none of its constraints, defaults or indexes)
     * plus {@code ord}, the row's position in the batch; emptied at every commit.
     */
    String stageDdl() {
        return "CREATE TEMP TABLE IF NOT EXISTS " + stageTable() + " ON COMMIT DELETE ROWS AS SELECT " + columnList()
                + ", 0::int AS ord FROM " + table + " WITH NO DATA";
    }

    String stageCopySql() {
        return "COPY " + stageTable() + " (" + columnList() + ", ord) FROM STDIN (FORMAT binary)";
    }

    /**
     * The merge path: the batch's last row per key (ON CONFLICT DO UPDATE may not touch a row twice
     * in one statement), upserted; returns per row whether it was inserted (xmax = 0) or updated.
     */
    String mergeSql() {
        String keys = String.join(", ", keyColumns);
        String updates = columns.stream().filter(c -> !keyColumns.contains(c))
                .map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        return "INSERT INTO " + table + " (" + columnList() + ")"
                + " SELECT DISTINCT ON (" + keys + ") " + columnList() + " FROM " + stageTable()
                + " ORDER BY " + keys + ", ord DESC"
                + " ON CONFLICT (" + keys + ") DO UPDATE SET " + updates
                + " RETURNING (xmax = 0) AS inserted";
    }

    private String columnList() {
        return String.join(", ", columns);
    }
}

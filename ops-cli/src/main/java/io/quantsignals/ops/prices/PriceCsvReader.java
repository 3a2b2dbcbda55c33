package io.quantsignals.ops.prices;

import io.quantsignals.cli.InvalidInputException;
import io.quantsignals.core.price.ScaledPrice;
import io.quantsignals.core.tick.TickParser;
import io.quantsignals.core.tick.Symbols;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads and validates a price history CSV ({@code ops-cli prices import}, SPEC §9), one row at a
 * time, in constant memory.
 *
 * <p>Format: a header {@code ts,symbol,price} or {@code ts,symbol,price,volume} (case and spaces
 * around names ignored), then one tick per line:
 * <ul>
 *   <li>{@code ts}: ISO-8601 with {@code Z} or an explicit offset, or integral epoch milliseconds
 *       ({@link TickParser#parseTimestamp}, the Kafka tick's rules);</li>
 *   <li>{@code symbol}: valid by {@link Symbols#problem} (1 to 64 characters, no control characters, ...);</li>
 *   <li>{@code price}: a positive finite decimal, taken exactly to 10⁻⁸ ({@link ScaledPrice#parse});</li>
 *   <li>{@code volume} (only with the 4-column header): a finite number ≥ 0, or empty for none.</li>
 * </ul>
 * Fields are trimmed and may be double-quoted ({@code ""} inside quotes is a quote; a quoted field
 * cannot span lines). Lines end with LF or CRLF; blank lines are skipped; a UTF-8 byte order mark
 * before the header is ignored. The file must be UTF-8.
 *
 * <p>The reader works on bytes, not a {@link java.io.Reader}: lines are split on the LF byte (which
 * never occurs inside a UTF-8 sequence) and decoded one by one, so an invalid UTF-8 sequence is
 * reported on its own line number, and {@link #bytesRead()} is exact for progress displays.
 *
 * <p>Every problem is an {@link InvalidInputException}: {@code line N: reason} for a bad line (N is
 * 1-based, the header is line 1), or a message naming the file for a missing or empty file or a bad
 * header. A read error of the device is an {@link UncheckedIOException}.
 */
public final class PriceCsvReader implements Closeable {

    /** The accepted header, as shown to users. */
    public static final String HEADER = "ts,symbol,price[,volume]";

    /** Longest accepted line in bytes: a tick line is well under 200; this catches binary files. */
    static final int MAX_LINE_BYTES = 8192;

    private static final List<String> HEADER_3 = List.of("ts", "symbol", "price");
    private static final List<String> HEADER_4 = List.of("ts", "symbol", "price", "volume");

    /** One parsed line; {@link #next} overwrites every field. */
    public static final class Row {
        /** 1-based line number in the file (the header is line 1). */
        public long lineNumber;
        public long tsMillis;
        public String symbol;
        public long priceScaled;
        /** The volume, or NaN when the line has none. */
        public double volume = Double.NaN;

        public boolean hasVolume() {
            return !Double.isNaN(volume);
        }
    }

    private final InputStream in;
    private final String name;
    private final long totalBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean eof;
    private long bytesRead;

    private final byte[] line = new byte[MAX_LINE_BYTES];
    private int lineLength;
    private long lineNumber;

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final List<String> fields = new ArrayList<>(5);
    private final StringBuilder quoted = new StringBuilder();
    private final int columns;

    /**
     * Reads the header from {@code in}.
     *
     * @param name how messages name the input (e.g. the file name)
     * @param totalBytes the input's size if known, else -1 (for progress displays only)
     * @throws InvalidInputException if the input is empty or the header is not {@value #HEADER}
     */
    public PriceCsvReader(InputStream in, String name, long totalBytes) {
        this.in = in;
        this.name = name;
        this.totalBytes = totalBytes;
        this.columns = readHeader();
    }

    /**
     * Opens {@code file} and reads its header.
     *
     * @throws InvalidInputException if the file does not exist, cannot be read, is empty or has a bad header
     */
    public static PriceCsvReader open(Path file) {
        if (Files.isDirectory(file)) {
            throw new InvalidInputException("file " + file + " is a directory, not a CSV file");
        }
        InputStream in;
        long size;
        try {
            in = Files.newInputStream(file);
            size = Files.isRegularFile(file) ? Files.size(file) : -1;
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new InvalidInputException("file " + file + " cannot be read: permission denied");
        } catch (IOException e) {
            throw new InvalidInputException("file " + file + " cannot be read: " + e.getMessage());
        }
        try {
            return new PriceCsvReader(in, String.valueOf(file), size);
        } catch (RuntimeException e) {
            closeQuietly(in, e);
            throw e;
        }
    }

    /** Whether the header has the volume column. */
    public boolean hasVolumeColumn() {
        return columns == 4;
    }

    /** Bytes consumed from the input so far (read ahead by at most 64 KiB). */
    public long bytesRead() {
        return bytesRead;
    }

    /** The input's size in bytes, or -1 if unknown. */
    public long totalBytes() {
        return totalBytes;
    }

    /**
     * Reads the next tick into {@code row}.
     *
     * @return false at the end of the input
     * @throws InvalidInputException {@code line N: reason} for a line that is not a valid tick
     */
    public boolean next(Row row) {
        String text;
        do {
            if (!readLine()) {
                return false;
            }
            text = decodeLine();
        } while (text.isBlank());
        split(text);
        if (fields.size() != columns) {
            throw bad("expected " + columns + " columns (" + String.join(",", columns == 4 ? HEADER_4 : HEADER_3)
                    + "), got " + fields.size());
        }
        row.lineNumber = lineNumber;
        try {
            row.tsMillis = TickParser.parseTimestamp(fields.get(0));
            row.symbol = symbol(fields.get(1));
            row.priceScaled = ScaledPrice.parse(fields.get(2));
            row.volume = columns == 4 ? volume(fields.get(3)) : Double.NaN;
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        return true;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + name + ": " + e.getMessage(), e);
        }
    }

    private int readHeader() {
        if (!readLine()) {
            throw new InvalidInputException("file " + name + " is empty: expected the header " + HEADER);
        }
        int start = 0;
        // A UTF-8 byte order mark, as spreadsheet programs write it.
        if (lineLength >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
            start = 3;
        }
        String text;
        try {
            text = utf8.decode(ByteBuffer.wrap(line, start, lineLength - start)).toString();
        } catch (CharacterCodingException e) {
            throw badHeader("(not valid UTF-8)");
        }
        List<String> names = new ArrayList<>();
        try {
            split(text);
            for (String field : fields) {
                names.add(field.toLowerCase(Locale.ROOT));
            }
        } catch (InvalidInputException e) {
            throw badHeader("'" + abbreviate(text) + "'");
        }
        if (names.equals(HEADER_3)) {
            return 3;
        }
        if (names.equals(HEADER_4)) {
            return 4;
        }
        throw badHeader("'" + abbreviate(text.strip()) + "'");
    }

    private InvalidInputException badHeader(String got) {
        return new InvalidInputException("file " + name + ": the header must be " + HEADER + ", got " + got);
    }

    /** The next line into {@link #line} without its terminator; false at the end of the input. */
    private boolean readLine() {
        lineLength = 0;
        boolean any = false;
        while (true) {
            if (position == limit && !fill()) {
                if (!any) {
                    return false;
                }
                break; // last line without a terminator
            }
            any = true;
            int newline = -1;
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            int n = end - position;
            if (lineLength + n > MAX_LINE_BYTES) {
                lineNumber++;
                throw bad("longer than " + MAX_LINE_BYTES + " bytes");
            }
            System.arraycopy(buffer, position, line, lineLength, n);
            lineLength += n;
            position = end;
            if (newline >= 0) {
                position++; // past the LF
                break;
            }
        }
        lineNumber++;
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineLength--;
        }
        return true;
    }

    private boolean fill() {
        if (eof) {
            return false;
        }
        try {
            int n;
            do {
                n = in.read(buffer, 0, buffer.length);
            } while (n == 0);
            if (n < 0) {
                eof = true;
                return false;
            }
            position = 0;
            limit = n;
            bytesRead += n;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private String decodeLine() {
        for (int i = 0; i < lineLength; i++) {
            if (line[i] < 0) {
                try {
                    return utf8.decode(ByteBuffer.wrap(line, 0, lineLength)).toString();
                } catch (CharacterCodingException e) {
                    throw bad("not valid UTF-8");
                }
            }
        }
        // All ASCII (the common case): Latin-1 decoding is the same and much faster.
        return new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
    }

    /** Splits one line into {@link #fields}, trimmed, honouring double quotes. */
    private void split(String text) {
        fields.clear();
        int i = 0;
        int n = text.length();
        while (true) {
            int start = i;
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            if (i < n && text.charAt(i) == '"') {
                i = readQuoted(text, i + 1);
                fields.add(quoted.toString().strip());
                while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                    i++;
                }
                if (i < n && text.charAt(i) != ',') {
                    throw bad("unexpected text after a closing quote in column " + fields.size());
                }
            } else {
                i = start;
                while (i < n && text.charAt(i) != ',') {
                    i++;
                }
                fields.add(text.substring(start, i).strip());
            }
            if (i >= n) {
                return;
            }
            i++; // past the comma
        }
    }

    /** Reads a quoted field's content into {@link #quoted}; returns the index after the closing quote. */
    private int readQuoted(String text, int i) {
        quoted.setLength(0);
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i++);
            if (c != '"') {
                quoted.append(c);
            } else if (i < n && text.charAt(i) == '"') {
                quoted.append('"');
                i++;
            } else {
                return i;
            }
        }
        throw bad("unterminated quoted field (a quoted field cannot span lines)");
    }

    private static String symbol(String text) {
        String problem = Symbols.problem(text);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return text;
    }

    /** A finite decimal ≥ 0 in plain or exponent notation; empty means no volume. */
    static double volume(String text) {
        if (text.isEmpty()) {
            return Double.NaN;
        }
        if (!isDecimal(text)) {
            String unsigned = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
            if (unsigned.equalsIgnoreCase("NaN") || unsigned.equalsIgnoreCase("Infinity") || unsigned.equalsIgnoreCase("Inf")) {
                throw new IllegalArgumentException("volume must be a finite number, got '" + abbreviate(text) + "'");
            }
            throw new IllegalArgumentException("volume is not a number: '" + abbreviate(text) + "'");
        }
        double volume = Double.parseDouble(text);
        if (!Double.isFinite(volume)) {
            throw new IllegalArgumentException("volume must be a finite number, got '" + abbreviate(text) + "'");
        }
        if (volume < 0) {
            throw new IllegalArgumentException("volume must be >= 0, got '" + abbreviate(text) + "'");
        }
        return volume == 0 ? 0.0 : volume; // no -0.0
    }

    /**
     * {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}: what {@link Double#parseDouble}
     * accepts minus its Java-isms (hex floats, NaN, Infinity, {@code d}/{@code f} suffixes).
     */
    private static boolean isDecimal(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private InvalidInputException bad(String reason) {
        return new InvalidInputException("line " + lineNumber + ": " + reason);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private static void closeQuietly(InputStream in, RuntimeException failure) {
        try {
            in.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}

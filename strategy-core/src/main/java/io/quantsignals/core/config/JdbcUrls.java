package io.quantsignals.core.config;

import java.util.regex.Pattern;

/** JDBC URL helpers shared by every program that reports database problems. */
public final class JdbcUrls {

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]+:)[^@/]*@");

    private JdbcUrls() {
    }

    /** The URL with any password in it (a {@code password=} parameter or {@code user:pass@}) masked. */
    public static String redact(String jdbcUrl) {
        if (jdbcUrl == null) {
            return null;
        }
        String masked = PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1***");
        return USER_INFO.matcher(masked).replaceAll("$1***@");
    }
}

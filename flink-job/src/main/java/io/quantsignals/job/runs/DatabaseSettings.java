package io.quantsignals.job.runs;

import io.quantsignals.core.config.JdbcUrls;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Where the job's database is (SPEC §2); serializable so operators can open their own connections. */
public record DatabaseSettings(String url, String user, String password) implements Serializable {

    public Connection connect(String applicationName) throws SQLException {
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(url, props);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "DatabaseSettings{" + JdbcUrls.redact(url) + " as " + user + "}";
    }
}

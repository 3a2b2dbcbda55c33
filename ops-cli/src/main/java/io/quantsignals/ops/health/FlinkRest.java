package io.quantsignals.ops.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsignals.cli.Durations;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** A minimal read-only client of the Flink REST API (the JobManager's monitoring API, port 8081 by default). */
final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    FlinkRest(URI base, Duration timeout) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.timeout = timeout;
        // No proxy: the JobManager is an internal endpoint.
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    URI base() {
        return base;
    }

    /** GETs {@code path} (e.g. {@code /jobs/overview}) and parses the JSON body. */
    JsonNode get(String path) throws FlinkRestException {
        URI uri = URI.create(base + path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new FlinkRestException(-1, "GET " + uri + ": no answer within " + Durations.format(timeout));
        } catch (IOException e) {
            throw new FlinkRestException(-1, "GET " + uri + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRestException(-1, "GET " + uri + ": interrupted");
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (response.statusCode() / 100 != 2) {
            // Flink's error body: {"errors": ["..."]}
            String detail = body != null && body.path("errors").isArray() && !body.path("errors").isEmpty()
                    ? body.path("errors").get(0).asText() : "";
            throw new FlinkRestException(response.statusCode(), "GET " + uri + ": HTTP " + response.statusCode()
                    + (detail.isBlank() ? "" : " " + firstLine(detail)));
        }
        if (body == null || !body.isObject()) {
            throw new FlinkRestException(response.statusCode(), "GET " + uri + ": the answer is not a JSON object");
        }
        return body;
    }

    private static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return "cannot connect (connection refused or host unreachable)";
            }
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
        }
        Throwable cause = e;
        while (cause.getCause() != null && (cause.getMessage() == null || cause.getMessage().isBlank())) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " " + message);
    }

    private static String firstLine(String text) {
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** The REST API could not be asked, or refused: {@code httpStatus} is -1 when there was no HTTP answer. */
    static final class FlinkRestException extends Exception {
        private final int httpStatus;

        FlinkRestException(int httpStatus, String message) {
            super(message);
            this.httpStatus = httpStatus;
        }

        int httpStatus() {
            return httpStatus;
        }
    }
}

package io.quantsignals.core.db;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationsTest {

    @Test
    void everyFileOfTheSqlFolderIsListedInOrder() throws IOException {
        Path sql = Path.of("..", "sql");
        try (Stream<Path> files = Files.list(sql)) {
            assertEquals(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList(),
                    Migrations.FILES);
        }
    }

    @Test
    void everyListedFileIsPackaged() {
        for (String file : Migrations.FILES) {
            assertTrue(Migrations.read(file).contains(";"), file);
        }
    }
}

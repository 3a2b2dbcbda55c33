package io.quantsignals.cli;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The picocli converter of every {@code --run-id} and {@code <run-id>} (a {@code strategy_run_id}).
 * A bad value is a parse error: one line that names the option or parameter (picocli's
 * {@code Invalid value for option '--run-id': ...}), exit 2, before the command touches anything.
 * A variable-arity list of run ids goes through {@link #convertAll} instead.
 */
public class RunIdConverter implements CommandLine.ITypeConverter<UUID> {

    /** The {@code sweep_id} of a sweep: the same canonical-UUID rule, named as what it is. */
    public static final class SweepIdConverter extends RunIdConverter {
        public SweepIdConverter() {
            super("sweep id");
        }
    }

    private final String noun;

    public RunIdConverter() {
        this("run id");
    }

    private RunIdConverter(String noun) {
        this.noun = noun;
    }

    @Override
    public UUID convert(String value) {
        String text = value.strip();
        try {
            UUID id = UUID.fromString(text);
            // UUID.fromString also takes short forms like "1-2-3-4-5" (read as 00000001-0002-...):
            // only the canonical 8-4-4-4-12 form is a run id, so a typo is not read as another run.
            if (id.toString().equalsIgnoreCase(text)) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // not a UUID at all: the same message as a short form
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a " + noun + " (a UUID such as 123e4567-e89b-12d3-a456-426614174000)");
    }

    /**
     * The run ids of a variable-arity parameter ({@code runs compare <run-id>...}), each refused as
     * {@link #convert} refuses it, as a parse error of the command (exit 2, one line naming the
     * parameter). Such a parameter is declared as strings and converted here because picocli, when
     * a value after the first fails conversion, ends the list there and reports the value only as
     * an "Unmatched argument", without the reason.
     *
     * @param command the command the parameter belongs to
     * @param paramLabel the parameter's label, to name it in the message
     */
    public static List<UUID> convertAll(CommandLine command, String paramLabel, List<String> values) {
        RunIdConverter converter = new RunIdConverter();
        List<UUID> ids = new ArrayList<>(values.size());
        for (String value : values) {
            try {
                ids.add(converter.convert(value));
            } catch (CommandLine.TypeConversionException e) {
                throw new CommandLine.ParameterException(command, "Invalid value for " + paramLabel + ": " + e.getMessage());
            }
        }
        return ids;
    }
}

package dev.autobatch.examples;

import java.util.List;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The main job's command-line errors in its own words, one sentence each that names the option,
 * the value and the fix, where picocli's own messages speak of parameters and types.
 */
final class CommandLineErrors {

    private static final String SEE_HELP = "; see --help";

    private CommandLineErrors() {}

    /**
     * Finds, before picocli parses, what it would misread: a value attached to a flag ({@code
     * --compare=yes}), and an option that needs a value followed by nothing or by another option
     * ({@code --data --compare}; picocli would take an unknown {@code --x} for the value). Stops at
     * the first argument that is no option of the command, which picocli then reports.
     *
     * @param spec the command
     * @param args the arguments
     * @throws UsageException naming the option
     */
    static void checkValues(CommandSpec spec, String... args) throws UsageException {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int equals = arg.indexOf('=');
            boolean attached = arg.startsWith("--") && equals > 0;
            String name = attached ? arg.substring(0, equals) : arg;
            OptionSpec option = arg.startsWith("-") ? spec.findOption(name) : null;
            if (option == null) {
                return;
            }
            boolean flag = option.arity().max() == 0;
            if (flag && attached) {
                throw new UsageException(name + " takes no value, got '" + arg + "'");
            }
            if (!flag && !attached) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(name + " needs a value" + SEE_HELP);
                }
                i++;
            }
        }
    }

    /**
     * Says what picocli found wrong.
     *
     * @param e picocli's exception
     * @return the exception to report
     */
    static UsageException of(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            String arg = unmatched.getUnmatched().get(0);
            int equals = arg.indexOf('=');
            String what = arg.startsWith("-")
                    ? "unknown option '" + (arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg) + "'"
                    : "unexpected argument '" + arg + "'";
            return new UsageException(what + SEE_HELP + " for the options");
        }
        if (e instanceof MissingParameterException missing) {
            List<ArgSpec> specs = missing.getMissing();
            if (!specs.isEmpty() && specs.get(0) instanceof OptionSpec option) {
                return new UsageException(option.longestName() + " needs a value" + SEE_HELP);
            }
        }
        Throwable cause = e.getCause();
        if (cause instanceof UsageException || cause instanceof TypeConversionException) {
            String message = cause.getMessage();
            String name = e.getArgSpec() instanceof OptionSpec option ? option.longestName() : null;
            return new UsageException(name == null || message.startsWith(name) ? message : name + " " + message);
        }
        return new UsageException(e.getMessage() + SEE_HELP);
    }
}

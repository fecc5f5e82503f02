package dev.fusebox.spark.cli;

import dev.fusebox.model.ModelMetadata;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The {@code fusebox-spark} command: {@code predict} scores a table with a model file on a Spark
 * master, {@code sweep} trains many configurations as Spark tasks. Exit codes as {@code fusebox}'s: 0
 * done, 1 a usage or input error (one line on standard error), 3 an internal error.
 */
@Command(name = "fusebox-spark", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Score tables, sweep hyper-parameters and train data-parallel with Fusebox models on Spark.", ""},
    subcommands = {PredictCommand.class, SweepCommand.class, TrainCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  done", "  1  usage or input error (one line on standard error)", "  3  internal error",
        "%nRun 'fusebox-spark COMMAND --help' for a command's options."})
public final class Main implements Callable<Integer> {
  static final String PREFIX = "fusebox-spark: error: ";
  static final int OK = 0;
  static final int USER = 1;
  static final int INTERNAL = 3;

  final PrintStream out;
  final PrintStream err;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "On an error, print the stack trace too.")
  boolean debug;

  Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    int code = commandLine(System.out, System.err).execute(args);
    Sessions.stopOwned();
    System.exit(code);
  }

  /** The command line writing to these streams; {@code execute(args)} runs it and returns the exit code. */
  public static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cmd = new CommandLine(new Main(out, err));
    cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cmd.setParameterExceptionHandler((e, args) -> {
      err.println(PREFIX + oneLine(e.getMessage()) + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
      if (Arrays.asList(args).contains("--debug")) e.printStackTrace(err);
      return USER;
    });
    cmd.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      boolean debugging = Arrays.asList(parsed.originalArgs().toArray(new String[0])).contains("--debug");
      int code = Errors.isUserError(e) ? USER : INTERNAL;
      err.println(PREFIX + (code == INTERNAL ? "internal error: " : "") + Errors.message(e));
      if (debugging) e.printStackTrace(err);
      return code;
    });
    return cmd;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "no command given; the commands are predict, sweep and train");
  }

  static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  /** {@code fusebox-spark 0.1.0}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"fusebox-spark " + ModelMetadata.FUSEBOX_VERSION, "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION(),
          "Java " + System.getProperty("java.version")};
    }
  }
}

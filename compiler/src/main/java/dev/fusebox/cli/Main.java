package dev.fusebox.cli;

import dev.fusebox.model.ModelMetadata;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code fusebox} command: train a model a spec file describes, predict with it, export it as ONNX,
 * or dump what the compiler makes of it. Exit codes: 0 done, 1 a usage or input error, 2 training stopped on a
 * non-finite loss, 3 an internal error. Every error is one line on standard error; {@code --debug}
 * adds the stack trace.
 */
@Command(name = "fusebox", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Train, run and inspect neural networks described by a JSON spec file.", ""},
    subcommands = {TrainCommand.class, PredictCommand.class, ExportCommand.class, DumpCommand.class, BenchCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  done", "  1  usage or input error (one line on standard error)",
        "  2  training stopped on a non-finite loss", "  3  internal error",
        "%nRun 'fusebox COMMAND --help' for a command's options."})
public final class Main implements Callable<Integer> {
  final InputStream in;
  final PrintStream out;
  final PrintStream err;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "On an error, print the stack trace too.")
  boolean debug;

  Main(InputStream in, PrintStream out, PrintStream err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(commandLine(System.in, System.out, System.err).execute(args));
  }

  /** The command line with its error handling, writing to the given streams; {@code execute(args)} runs it. */
  public static CommandLine commandLine(PrintStream out, PrintStream err) {
    return commandLine(System.in, out, err);
  }

  /** The same, reading {@code --data -} from {@code in}. */
  public static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
    CommandLine cmd = new CommandLine(new Main(in, out, err));
    cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cmd.setParameterExceptionHandler((e, args) -> usageError(e, Arrays.asList(args).contains("--debug"), err));
    cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> e instanceof ParameterException pe
        ? usageError(pe, debugging(parseResult), err)
        : Errors.report(e, err, debugging(parseResult)));
    return cmd;
  }

  @Override
  public Integer call() {
    List<String> commands = List.copyOf(spec.subcommands().keySet());
    String list = String.join(", ", commands.subList(0, commands.size() - 1)) + " and " + commands.get(commands.size() - 1);
    throw new ParameterException(spec.commandLine(), "no command given; the commands are " + list);
  }

  /** One line naming the problem and where help is; usage errors never show a stack trace. */
  private static int usageError(ParameterException e, boolean debug, PrintStream err) {
    String command = e.getCommandLine().getCommandSpec().qualifiedName();
    err.println(Errors.PREFIX + Errors.oneLine(e.getMessage()) + " (see '" + command + " --help')");
    if (debug) e.printStackTrace(err);
    err.flush();
    return Errors.USER;
  }

  private static boolean debugging(ParseResult result) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--debug")) return true;
    }
    return false;
  }

  /** {@code fusebox 0.1.0}, from the version the build filters into {@code version.properties}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"fusebox " + version(),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }

  /** The project version, or {@code unknown} when running from classes the build did not process. */
  static String version() {
    return ModelMetadata.FUSEBOX_VERSION;
  }
}

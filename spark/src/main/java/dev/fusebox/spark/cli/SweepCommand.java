package dev.fusebox.spark.cli;

import dev.fusebox.Target;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.data.LabelKind;
import dev.fusebox.spark.FuseboxSweep;
import dev.fusebox.spark.SparkData;
import dev.fusebox.spark.SweepConfig;
import dev.fusebox.spark.SweepResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code fusebox-spark sweep}: trains every spec given, at every learning rate, weight decay and seed
 * asked for, each configuration in a Spark task of its own, and writes what {@code fusebox train} would
 * have written for each, with a table of their scores.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Train many configurations as Spark tasks on the same data.",
        "Every SPEC.json is trained at every --lr, --weight-decay and --seed given",
        "(each defaults to the spec's own). Configuration NAME (the spec's file name",
        "and the values: iris-lr0.003-seed2) gets NAME.json, NAME.safetensors and",
        "NAME.optimizer.safetensors in --out, byte for byte what 'fusebox train",
        "NAME.json' writes with the same --data, --label, --valid and --standardize;",
        "metrics.csv has one line of scores per configuration.", ""})
final class SweepCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(arity = "1..*", paramLabel = "SPEC.json", description = "The specs to train (JSON).")
  List<Path> specs;

  @Option(names = "--data", required = true, paramLabel = "TABLE", description = "Training data: .csv (a header line) or .parquet.")
  String data;

  @Option(names = "--label", required = true, paramLabel = "COLUMN",
      description = {"The label column (class labels 0..k-1, or the target);", "every other column is a feature."})
  String label;

  @Option(names = "--valid", paramLabel = "TABLE", description = "Validation data, scored after every epoch.")
  String valid;

  @Option(names = "--standardize", description = {"Standardise features by the training data's mean", "and deviation."})
  boolean standardize;

  @Option(names = "--lr", split = ",", paramLabel = "RATE", description = "Learning rates (comma-separated).")
  List<Double> lrs;

  @Option(names = "--weight-decay", split = ",", paramLabel = "DECAY", description = "Weight decays (comma-separated).")
  List<Double> decays;

  @Option(names = "--seed", split = ",", paramLabel = "N", description = "Seeds (comma-separated).")
  List<Long> seeds;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the models and metrics.csv go (on the driver).")
  Path out;

  @Option(names = "--master", paramLabel = "URL", description = "The Spark master (default: spark-submit's, or local[*]).")
  String master;

  @Mixin TaskTargetOptions where;

  @Override
  public Integer call() throws IOException {
    Target target = where.target();
    List<SweepConfig> configs = configs();
    ModelSpec first = configs.get(0).spec();
    for (SweepConfig c : configs) {
      ModelSpec s = c.spec();
      if (s.labelKind() != first.labelKind() || s.outputs() != first.outputs() && s.labelKind() == LabelKind.CLASS) {
        throw new IllegalArgumentException(c.name() + ": its loss reads the label column as " + describe(s) + ", but "
            + configs.get(0).name() + "'s reads it as " + describe(first) + "; sweep configurations share their data");
      }
    }
    SparkSession spark = Sessions.get(master, "fusebox-spark sweep");
    Dataset train = read(spark, data, first);
    Dataset validation = valid == null ? null : read(spark, valid, first).selectFeatures(train.featureNames());
    main.out.printf(Locale.ROOT, "sweep %d configurations on %s: %d rows%s, on %s%n", configs.size(), name(data), train.rows(),
        validation == null ? "" : ", validation " + validation.rows() + " rows", spark.sparkContext().master());
    SweepResult result = FuseboxSweep.on(spark).data(train, label).validation(validation).standardize(standardize)
        .target(where.threads > 0 ? target.withThreads(where.threads) : target).build().run(configs);
    main.out.print(result.table());
    result.save(out);
    main.out.printf(Locale.ROOT, "done: %d configurations in %.1f s; wrote their models and metrics.csv to %s%n",
        configs.size(), result.seconds(), out);
    return Main.OK;
  }

  private List<SweepConfig> configs() throws IOException {
    List<SweepConfig> configs = new ArrayList<>();
    for (Path file : specs) {
      ModelSpec spec = ModelSpec.read(file);
      String stem = file.getFileName().toString().replaceFirst("\\.json$", "");
      List<SweepConfig> variants = new ArrayList<>(List.of(SweepConfig.of(stem, spec)));
      if (lrs != null) variants = vary(variants, "lr", lrs, "lr");
      if (decays != null) variants = vary(variants, "weight_decay", decays, "wd");
      if (seeds != null) {
        List<SweepConfig> seeded = new ArrayList<>();
        for (SweepConfig v : variants) {
          for (long seed : seeds) seeded.add(SweepConfig.of(v.name() + "-seed" + seed, v.spec().withSeed(seed)));
        }
        variants = seeded;
      }
      configs.addAll(variants);
    }
    return configs;
  }

  private static List<SweepConfig> vary(List<SweepConfig> configs, String key, List<Double> values, String tag) {
    List<SweepConfig> out = new ArrayList<>();
    for (SweepConfig c : configs) {
      for (double v : values) out.add(c.with(key, v).named(c.name() + "-" + tag + number(v)));
    }
    return out;
  }

  /** Labelled data as {@code fusebox train} reads it: a CSV file by Fusebox's reader, a Parquet table through Spark. */
  private Dataset read(SparkSession spark, String table, ModelSpec spec) throws IOException {
    LabelKind kind = spec.labelKind();
    if (kind == LabelKind.TARGET && spec.outputs() != 1) {
      throw new IllegalArgumentException(spec.source() + ": the last layer has " + spec.outputs() + " units, but a table's label "
          + "column holds one target per row: use a last layer of 1 unit");
    }
    if (SparkData.Format.of(table) == SparkData.Format.CSV && !table.contains("://")) {
      Path file = Path.of(table);
      return kind == LabelKind.CLASS ? CsvData.readClasses(file, label, spec.outputs()) : CsvData.read(file, label, kind);
    }
    return SparkData.labelled(SparkData.read(spark, table), label, kind, spec.outputs());
  }

  private static String describe(ModelSpec s) {
    return s.labelKind() == LabelKind.CLASS ? s.outputs() + " classes" : "targets";
  }

  private static String name(String table) {
    return table.replaceAll("/+$", "").replaceAll(".*/", "");
  }

  private static String number(double v) {
    String s = Double.toString(v);
    return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s).toLowerCase(Locale.ROOT);
  }
}

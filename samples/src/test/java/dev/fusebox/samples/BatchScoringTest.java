package dev.fusebox.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.runtime.FloatTensor;
import dev.fusebox.runtime.Program;
import dev.fusebox.runtime.data.CsvData;
import dev.fusebox.runtime.data.Dataset;
import dev.fusebox.runtime.io.SafeTensors;
import dev.fusebox.runtime.io.SafeTensorsFile;
import dev.fusebox.runtime.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchScoringTest {

  @Test
  void streamingScoresEveryRowExactlyAsScoringInMemoryDoes(@TempDir Path dir) throws Exception {
    Path model = Digits.run(dir.resolve("model"), new Captured()).model();
    // Not a multiple of the batch size, so the last batch is partial.
    int rows = 5 * BatchScoring.BATCH + 123;
    Path input = BatchScoring.generate(dir.resolve("input.csv"), rows, 5);

    BatchScoring.Result result = BatchScoring.score(model, input, dir.resolve("predictions.csv"), new Captured());

    assertThat(result.rows()).isEqualTo(rows);
    assertThat(result.rowsPerSecond()).isPositive();
    List<String> lines = Files.readAllLines(result.predictions());
    assertThat(lines).hasSize(rows + 1).first().isEqualTo("row,predicted");

    // The same rows all at once, without the predictor: read whole, standardised whole, run through the
    // Digits network itself (not the sample's spec of it) by the trainer's Evaluator.
    SafeTensorsFile file = SafeTensors.read(model);
    Dataset all = BatchScoring.standardizer(file).apply(CsvData.readFeatures(input));
    FloatTensor logits;
    try (Program program = Compiler.inference(Digits.model(BatchScoring.BATCH), CompileOptions.defaults()).program()) {
      program.load(file.tensors());
      logits = Evaluator.of(program).predict(all);
    }
    for (int r = 0; r < rows; r++) {
      int expected = BatchScoring.argmax(logits.data(), r * 10, 10);
      assertThat(lines.get(r + 1)).as("row %d", r).isEqualTo(r + "," + expected);
    }
  }
}

package dev.fusebox.samples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Line charts written to PNG files with XChart, without a display. */
final class Charts {
  private Charts() {}

  /** An empty 900×560 line chart with lines only (no markers, which clutter dense curves). */
  static XYChart lines(String title, String xTitle, String yTitle) {
    // Rendering to an image needs no display; without this a desktop JVM may try to open one.
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setMarkerSize(0);
    return chart;
  }

  /** Writes the chart as a PNG at exactly {@code file} (XChart's path overload would add its own extension). */
  static Path savePng(XYChart chart, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    return file;
  }
}

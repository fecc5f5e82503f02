package dev.fusebox.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Line charts written to PNG files with XChart, without a display. */
final class Charts {
  private Charts() {}

  /** An empty 900×560 line chart with lines only (no markers, which clutter dense curves). */
  static XYChart lines(String title, String xTitle, String yTitle) {
    // Rendering to an image needs no display; set before AWT starts so that a desktop JVM does not look for one.
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setMarkerSize(0);
    return chart;
  }

  /** Writes the chart as a PNG at exactly {@code file}, through ImageIO (XChart 4 deprecates its single-chart file writers). */
  static Path savePng(XYChart chart, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile())) {
      throw new IOException("this JVM has no PNG writer for " + file);
    }
    return file;
  }
}

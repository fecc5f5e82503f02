package dev.fusebox.runtime.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads image/label pairs in the IDX format of MNIST and its look-alikes (Fashion-MNIST, KMNIST):
 * big-endian headers, magic {@code 0x00000803} for unsigned-byte images {@code [count, height, width]}
 * and {@code 0x00000801} for unsigned-byte labels {@code [count]}. Gzip files are decompressed on the
 * fly, recognised by their content (a file named {@code .gz} must hold gzip data).
 *
 * <p>Each image becomes one row of {@code height × width} features, row-major, with the pixel value
 * times a scale factor ({@code 1} keeps 0..255, {@code 1/255f} gives 0..1). The class count is the
 * largest label + 1; use {@link Dataset#withClasses} when a file lacks the highest classes.
 */
public final class IdxData {
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;
  private static final int CHUNK = 1 << 16;

  private IdxData() {}

  /**
   * Reads images and labels with pixel values 0..255.
   *
   * @param images the IDX image file
   * @param labels the IDX label file, one label per image
   * @return one row of {@code height × width} features per image, with its class label
   * @throws DataFileException if a file is not IDX of the right kind, is cut short, or the counts differ, naming the file
   * @throws IOException if a file cannot be read
   */
  public static Dataset read(Path images, Path labels) throws IOException {
    return read(images, labels, 1f);
  }

  /**
   * Reads images and labels, multiplying each pixel value by {@code scale}.
   *
   * @param images the IDX image file
   * @param labels the IDX label file, one label per image
   * @param scale the factor for each pixel value, finite ({@code 1/255f} gives 0..1)
   * @return one row of {@code height × width} features per image, with its class label
   * @throws DataFileException if a file is not IDX of the right kind, is cut short, or the counts differ, naming the file
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if {@code scale} is not finite
   */
  public static Dataset read(Path images, Path labels, float scale) throws IOException {
    if (!Float.isFinite(scale)) throw new IllegalArgumentException("scale must be finite, not " + scale);
    try (DataInputStream imageIn = new DataInputStream(DataFiles.open(images));
        DataInputStream labelIn = new DataInputStream(DataFiles.open(labels))) {
      // Both headers first, so that mismatched files fail before megabytes of pixels are read.
      int[] imageDims = header(images, imageIn, IMAGES_MAGIC, "unsigned-byte images of rank 3");
      int[] labelDims = header(labels, labelIn, LABELS_MAGIC, "unsigned-byte labels of rank 1");
      int count = imageDims[0];
      if (labelDims[0] != count) {
        throw new DataFileException(labels, "has " + labelDims[0] + " labels, but " + name(images) + " has "
            + count + " images");
      }
      long pixels = (long) imageDims[1] * imageDims[2];
      if (pixels == 0) throw new DataFileException(images, "images of " + imageDims[1] + "×" + imageDims[2] + " pixels have no features");
      if (pixels * count > Integer.MAX_VALUE - 8) {
        throw new DataFileException(images, count + " images of " + pixels + " pixels are too many for one data set");
      }

      byte[] labelBytes;
      try {
        labelBytes = body(labels, labelIn, count, count + " labels");
      } catch (IOException e) {
        throw DataFiles.describe(labels, e);
      }
      int[] classLabels = new int[count];
      int maxLabel = 0;
      for (int i = 0; i < count; i++) {
        classLabels[i] = Byte.toUnsignedInt(labelBytes[i]);
        maxLabel = Math.max(maxLabel, classLabels[i]);
      }
      float[] features;
      try {
        features = pixels(images, imageIn, (int) (pixels * count), scale,
            count + " images of " + imageDims[1] + "×" + imageDims[2] + " pixels");
      } catch (IOException e) {
        throw DataFiles.describe(images, e);
      }
      return new Dataset(count, features, Dataset.featureNames((int) pixels), classLabels, maxLabel + 1, null,
          List.of("label"));
    }
  }

  /** Checks the magic number and returns the dimensions. */
  private static int[] header(Path file, DataInputStream in, int magic, String expected) throws IOException {
    int found = readInt(file, in, "the magic number");
    if (found != magic) {
      String hint = found == (magic == IMAGES_MAGIC ? LABELS_MAGIC : IMAGES_MAGIC)
          ? "; it looks like the other file of the pair, are images and labels swapped?" : "";
      throw new DataFileException(file, String.format(
          "magic number 0x%08x is not 0x%08x (IDX %s)%s", found, magic, expected, hint));
    }
    int[] dims = new int[magic & 0xff];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = readInt(file, in, "dimension " + i);
      if (dims[i] < 0) {
        throw new DataFileException(file, "dimension " + i + " is " + Integer.toUnsignedString(dims[i]) + ", too large");
      }
    }
    return dims;
  }

  private static int readInt(Path file, DataInputStream in, String what) throws IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw new DataFileException(file, "is truncated: it ends inside the header, before " + what, e);
    } catch (IOException e) {
      throw DataFiles.describe(file, e);
    }
  }

  private static byte[] body(Path file, InputStream in, int length, String what) throws IOException {
    byte[] bytes = in.readNBytes(length);
    if (bytes.length < length) throw truncated(file, what, length, bytes.length);
    requireEnd(file, in);
    return bytes;
  }

  /** Reads unsigned bytes in chunks straight into floats, so the pixels are never held twice. */
  private static float[] pixels(Path file, InputStream in, int length, float scale, String what) throws IOException {
    float[] out = new float[length];
    byte[] chunk = new byte[Math.min(CHUNK, Math.max(1, length))];
    for (int done = 0; done < length; ) {
      int n = in.readNBytes(chunk, 0, Math.min(chunk.length, length - done));
      if (n == 0) throw truncated(file, what, length, done);
      for (int i = 0; i < n; i++) out[done + i] = Byte.toUnsignedInt(chunk[i]) * scale;
      done += n;
    }
    requireEnd(file, in);
    return out;
  }

  private static DataFileException truncated(Path file, String what, long expected, long found) {
    return new DataFileException(file, "is truncated: the header announces " + what + " (" + expected
        + " bytes), but the data ends after " + found + " bytes");
  }

  /** Extra bytes mean the header is wrong or the file is not what it seems, so they are not ignored. */
  private static void requireEnd(Path file, InputStream in) throws IOException {
    if (in.read() >= 0) throw new DataFileException(file, "has data after the length its header announces");
  }

  private static String name(Path file) {
    Path name = file.getFileName();
    return name == null ? file.toString() : name.toString();
  }
}

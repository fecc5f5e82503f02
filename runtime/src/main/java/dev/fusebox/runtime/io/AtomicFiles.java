package dev.fusebox.runtime.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file all at once: the new contents go to a temporary file beside the target, which is
 * synced and then renamed over it. Readers see either the old file or the complete new one, and a
 * crash or error part-way leaves the old file as it was.
 */
final class AtomicFiles {

  /** Writes the whole new contents to the channel. */
  @FunctionalInterface
  interface Body {
    void writeTo(FileChannel channel) throws IOException;
  }

  private AtomicFiles() {}

  static void replace(Path target, Body body) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(String.valueOf(dir), null, "directory does not exist");
    }
    Path temp = null;
    try {
      FileChannel channel = null;
      for (int attempt = 0; channel == null; attempt++) {
        temp = dir.resolve(tempName(target.getFileName().toString()));
        try {
          // Not Files.createTempFile: its owner-only permissions would carry over to the target.
          channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
          temp = null;
          if (attempt >= 8) throw e;
        }
      }
      try (FileChannel ch = channel) {
        body.writeTo(ch);
        ch.force(true);
      }
      move(temp, target);
      temp = null;
    } catch (Throwable t) {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          t.addSuppressed(e);
        }
      }
      throw t;
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A hidden name that stays within common 255-byte name limits however long the target's name is. */
  private static String tempName(String target) {
    // 40 UTF-16 units are at most 120 bytes of UTF-8; never cut a surrogate pair in half.
    int cut = Math.min(target.length(), 40);
    if (cut < target.length() && Character.isHighSurrogate(target.charAt(cut - 1))) cut--;
    String stem = target.substring(0, cut);
    return "." + stem + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
  }
}

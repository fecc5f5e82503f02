package dev.fusebox.runtime.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for a test: a full disk of a known size, or a read-only file system. Mounting
 * needs root (or a container that allows it); where it is refused, {@link #mount} returns nothing and
 * the test is skipped with a note.
 */
final class Tmpfs implements AutoCloseable {
  static final String SKIP = "cannot mount a tmpfs here (needs root): full-disk and read-only tests are skipped";

  private final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (as mount takes it: {@code 64k}) on a new directory {@code dir}. */
  static Optional<Tmpfs> mount(Path dir, String size) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    if (!run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())) return Optional.empty();
    return Optional.of(new Tmpfs(dir));
  }

  Path dir() {
    return dir;
  }

  /** Remounts the file system read-only. */
  void readOnly() throws IOException, InterruptedException {
    if (!run("mount", "-o", "remount,ro", dir.toString())) throw new IOException("cannot remount " + dir + " read-only");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run("umount", "-l", dir.toString());
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      return false; // no mount command
    }
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}

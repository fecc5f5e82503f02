package dev.fusebox.load;

import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.runtime.GeneratedProgram;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated source with the JDK's javac, in memory: slower than Janino (tens of ms) but the
 * reference compiler, for tests (every generated program must compile with both) and debugging.
 */
public final class JavacLoader implements ProgramLoader {
  /** A loader; it keeps no cache, so every {@link #load} compiles. */
  public JavacLoader() {}

  @Override
  public Class<? extends GeneratedProgram> load(ProgramEmitter.Source source) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) throw new IllegalStateException("no system Java compiler: run on a JDK, not a JRE");
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<String, ByteArrayOutputStream> classes = new HashMap<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
    ForwardingJavaFileManager<StandardJavaFileManager> files = new ForwardingJavaFileManager<>(standard) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
          @Override
          public OutputStream openOutputStream() {
            return classes.computeIfAbsent(name, k -> new ByteArrayOutputStream());
          }
        };
      }
    };
    JavaFileObject unit = new SimpleJavaFileObject(URI.create("mem:///" + source.qualifiedName().replace('.', '/') + ".java"),
        JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source.code();
      }
    };
    List<String> options = List.of("--add-modules=jdk.incubator.vector", "--release", "17", "-nowarn", "-Xlint:none",
        "-classpath", System.getProperty("java.class.path"));
    boolean ok = javac.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
    if (!ok) {
      Diagnostic<? extends JavaFileObject> first = diagnostics.getDiagnostics().stream()
          .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).findFirst().orElseThrow();
      throw ProgramLoader.compileError(source, "javac", first.getMessage(null), (int) first.getLineNumber());
    }
    ClassLoader loader = new ClassLoader(GeneratedProgram.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        ByteArrayOutputStream bytes = classes.get(name);
        if (bytes == null) throw new ClassNotFoundException(name);
        byte[] b = bytes.toByteArray();
        return defineClass(name, b, 0, b.length);
      }
    };
    try {
      return loader.loadClass(source.qualifiedName()).asSubclass(GeneratedProgram.class);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}

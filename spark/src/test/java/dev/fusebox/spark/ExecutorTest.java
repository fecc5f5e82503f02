package dev.fusebox.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusebox.CompileOptions;
import dev.fusebox.Compiler;
import dev.fusebox.Target;
import dev.fusebox.codegen.Backend;
import dev.fusebox.codegen.ProgramEmitter;
import dev.fusebox.model.ModelSpec;
import dev.fusebox.runtime.GeneratedProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What an executor decides by itself: where programs run without the Vector API, and compiling each source once. */
class ExecutorTest {

  @Test
  void autoFallsBackToScalarWithOneNoticePerJvmNamingTheFlagAndTheSparkSettings() {
    AtomicBoolean noted = new AtomicBoolean();
    List<String> notices = new ArrayList<>();
    Target first = ExecutorTarget.resolve(Target.auto().withThreads(2), false, noted, notices::add);
    Target second = ExecutorTarget.resolve(Target.auto(), false, noted, notices::add);
    assertThat(first).isEqualTo(Target.scalar().withThreads(2));
    assertThat(second).isEqualTo(Target.scalar());
    assertThat(notices).singleElement().asString().contains("--add-modules=jdk.incubator.vector")
        .contains("spark.executor.extraJavaOptions").contains("scalar kernels").doesNotContain("\n");
  }

  @Test
  void anExplicitVectorTargetWithoutTheVectorApiFailsTheTaskNamingTheFlag() {
    AtomicBoolean noted = new AtomicBoolean();
    List<String> notices = new ArrayList<>();
    assertThatThrownBy(() -> ExecutorTarget.resolve(Target.vector(), false, noted, notices::add))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("--add-modules=jdk.incubator.vector")
        .hasMessageContaining("spark.executor.extraJavaOptions").hasMessageContaining("auto target");
    assertThat(notices).isEmpty();
  }

  @Test
  void withTheVectorApiAutoIsVectorAndExplicitTargetsStayAsAsked() {
    AtomicBoolean noted = new AtomicBoolean();
    assertThat(ExecutorTarget.resolve(Target.auto(), true, noted, n -> { })).isEqualTo(Target.vector());
    assertThat(ExecutorTarget.resolve(Target.scalar(), false, noted, n -> { })).isEqualTo(Target.scalar());
    assertThat(ExecutorTarget.resolve(Target.interpreter(), false, noted, n -> { })).isEqualTo(Target.interpreter());
    assertThat(noted).isFalse();
  }

  @Test
  void tasksStartingTogetherCompileASourceOnceAndShareItsClass() throws Exception {
    OnceLoader loader = new OnceLoader();
    ModelSpec spec = ModelSpec.parse("{\"input\": 5, \"layers\": [{\"units\": 7, \"activation\": \"relu\"}, {\"units\": 2}], "
        + "\"loss\": \"softmax_cross_entropy\", \"optimizer\": {\"type\": \"sgd\", \"lr\": 0.1}, \"batch\": 3}", "once.json");
    ProgramEmitter.Source source = Compiler.inference(spec.forward(), CompileOptions.defaults()).source(Backend.VECTOR);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Class<? extends GeneratedProgram>>> loads = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        loads.add(pool.submit(() -> {
          start.await();
          return loader.load(source);
        }));
      }
      start.countDown();
      Set<Class<?>> classes = ConcurrentHashMap.newKeySet();
      for (Future<Class<? extends GeneratedProgram>> f : loads) classes.add(f.get());
      assertThat(classes).hasSize(1);
      assertThat(loader.compiles()).isEqualTo(1);
      assertThat(loader.size()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}

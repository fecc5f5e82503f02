package dev.fusebox.passes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FileCheckTest {
  static final String TEXT = "a = input\nb = relu(a)\nc = sum(b)\noutput loss = c\n";

  @Test
  void directivesPassAndFail() {
    assertThat(FileCheck.check(TEXT, "CHECK: relu\nCHECK-NEXT: sum\nCHECK: output")).isNull();
    assertThat(FileCheck.check(TEXT, "CHECK: sum\nCHECK: relu")).contains("'CHECK: relu' not found");
    assertThat(FileCheck.check(TEXT, "CHECK: a = input\nCHECK-NEXT: sum")).contains("CHECK-NEXT: sum");
    assertThat(FileCheck.check(TEXT, "CHECK: input\nCHECK-NOT: relu\nCHECK: sum")).contains("CHECK-NOT: '\\Qrelu\\E' matched line 2");
    assertThat(FileCheck.check(TEXT, "CHECK: sum\nCHECK-NOT: relu")).isNull();
    assertThat(FileCheck.check(TEXT, "CHECK: {{[bc]}} = {{relu|sum}}(")).isNull();
  }
}

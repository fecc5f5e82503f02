package dev.fusebox.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConstantDataTest {
  @Test
  void floatsSurviveTheTextBitForBitAcrossChunksAndThePaddingIsZero() {
    SplittableRandom rng = new SplittableRandom(1);
    float[] values = new float[30_001]; // 160,008 characters of Base64: four chunks
    for (int i = 0; i < values.length; i++) values[i] = (float) rng.nextGaussian() * (float) Math.pow(10, rng.nextInt(-30, 30));
    values[0] = -0f;
    values[1] = Float.MIN_VALUE;
    values[2] = Float.MAX_VALUE;
    String[] chunks = ConstantData.encode(values);
    assertThat(chunks).hasSize(4).allSatisfy(c -> assertThat(c.length()).isLessThanOrEqualTo(ConstantData.CHUNK));
    float[] back = ConstantData.decode(values.length + 16, chunks);
    for (int i = 0; i < values.length; i++) assertThat(Float.floatToRawIntBits(back[i])).as("[%d]", i).isEqualTo(Float.floatToRawIntBits(values[i]));
    for (int i = values.length; i < back.length; i++) assertThat(back[i]).isZero();
  }
}

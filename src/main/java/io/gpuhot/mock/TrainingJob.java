package io.gpuhot.mock;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated training run on one GPU: it holds its memory from start to end and cycles
 * through epochs, each a short warmup, a long training stretch with periodic data-loading dips,
 * and a validation pass at the end.
 */
final class TrainingJob {
  enum Phase {
    WARMUP,
    TRAIN,
    DATA_DIP,
    VALIDATION
  }

  static final List<String> SCRIPTS =
      List.of(
          "train.py",
          "pretrain_gpt.py",
          "finetune_llama.py",
          "train_resnet50.py",
          "train_diffusion.py",
          "train_bert.py",
          "ppo_train.py",
          "train_whisper.py");

  final int pid;
  final String processName;
  final double durationS;
  final double epochS;
  final double warmupS;
  final double validationS;
  final double dipPeriodS;
  final double dipLengthS;
  final double dipDepth;
  final double intensity;
  final double memControllerShare;
  final double powerFactor;
  final int memoryMiB;
  private double elapsedS;

  TrainingJob(SplittableRandom rng, GpuModel model, List<String> names) {
    this.pid = rng.nextInt(1_000, 4_000_000);
    this.processName = names.get(rng.nextInt(names.size()));
    this.durationS = rng.nextDouble(180, 900);
    this.epochS = rng.nextDouble(45, 150);
    this.warmupS = epochS * rng.nextDouble(0.05, 0.08);
    this.validationS = epochS * rng.nextDouble(0.07, 0.10);
    this.dipPeriodS = rng.nextDouble(8, 20);
    this.dipLengthS = rng.nextDouble(1.0, 1.6);
    this.dipDepth = rng.nextDouble(0.35, 0.6);
    this.intensity = rng.nextDouble(94, 99);
    this.memControllerShare = rng.nextDouble(0.35, 0.55);
    this.powerFactor = rng.nextDouble(0.86, 1.04);
    this.memoryMiB = (int) (model.memoryMiB() * rng.nextDouble(0.55, 0.93));
  }

  /** Starts the job part-way through, for GPUs that are already busy when the mock starts. */
  void skipTo(double elapsed) {
    this.elapsedS = elapsed;
  }

  void advance(double dtS) {
    elapsedS += dtS;
  }

  boolean finished() {
    return elapsedS >= durationS;
  }

  double elapsedS() {
    return elapsedS;
  }

  int epoch() {
    return (int) (elapsedS / epochS);
  }

  Phase phase() {
    double e = elapsedS % epochS;
    if (e < warmupS) {
      return Phase.WARMUP;
    }
    if (e >= epochS - validationS) {
      return Phase.VALIDATION;
    }
    double inTrain = (e - warmupS) % dipPeriodS;
    return inTrain >= dipPeriodS - dipLengthS ? Phase.DATA_DIP : Phase.TRAIN;
  }
}

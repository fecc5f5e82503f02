package dev.fusebox.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusebox.optim.Adagrad;
import dev.fusebox.optim.Adam;
import dev.fusebox.optim.Optimizer;
import dev.fusebox.optim.RmsProp;
import dev.fusebox.optim.Sgd;
import java.util.List;

/** The {@code optimizer} object of a spec, with PyTorch's parameter names and defaults. */
final class OptimizerSpec {
  private OptimizerSpec() {}

  static final List<String> TYPES = List.of("sgd", "adam", "adamw", "rmsprop", "adagrad");

  static Optimizer parse(SpecReader r) {
    String type = r.text("type", null);
    try {
      switch (type) {
        case "sgd": {
          Sgd o = Optimizer.sgd(r.nonNegative("lr", 1e-3)).withMomentum(r.nonNegative("momentum", 0))
              .withDampening(r.number("dampening", 0)).withWeightDecay(r.nonNegative("weight_decay", 0));
          o = o.withNesterov(r.bool("nesterov", false));
          r.done(List.of("type", "lr", "momentum", "dampening", "weight_decay", "nesterov"));
          return o;
        }
        case "adam":
        case "adamw": {
          double lr = r.nonNegative("lr", 1e-3);
          Adam o = type.equals("adam") ? Optimizer.adam(lr) : Optimizer.adamW(lr);
          double[] betas = betas(r);
          o = o.withBetas(betas[0], betas[1]).withEps(r.nonNegative("eps", 1e-8))
              .withWeightDecay(r.nonNegative("weight_decay", o.weightDecay())).withAmsgrad(r.bool("amsgrad", false));
          r.done(List.of("type", "lr", "betas", "eps", "weight_decay", "amsgrad"));
          return o;
        }
        case "rmsprop": {
          RmsProp o = Optimizer.rmsProp(r.nonNegative("lr", 1e-2)).withAlpha(r.nonNegative("alpha", 0.99))
              .withEps(r.nonNegative("eps", 1e-8))
              .withWeightDecay(r.nonNegative("weight_decay", 0)).withMomentum(r.nonNegative("momentum", 0))
              .withCentered(r.bool("centered", false));
          r.done(List.of("type", "lr", "alpha", "eps", "weight_decay", "momentum", "centered"));
          return o;
        }
        case "adagrad": {
          Adagrad o = Optimizer.adagrad(r.nonNegative("lr", 1e-2)).withLrDecay(r.nonNegative("lr_decay", 0))
              .withWeightDecay(r.nonNegative("weight_decay", 0))
              .withInitialAccumulator(r.nonNegative("initial_accumulator_value", 0)).withEps(r.nonNegative("eps", 1e-10));
          r.done(List.of("type", "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"));
          return o;
        }
        default:
          throw r.error(r.at("type"), "unknown optimizer '" + type + "'; known: " + String.join(", ", TYPES));
      }
    } catch (SpecException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw r.error("optimizer", e.getMessage());
    }
  }

  /** The optimizer as the JSON object {@link #parse} reads, with every parameter written out. */
  static ObjectNode toJson(Optimizer optimizer, ObjectNode n) {
    if (optimizer instanceof Sgd o) {
      return n.put("type", "sgd").put("lr", o.lr()).put("momentum", o.momentum()).put("dampening", o.dampening())
          .put("weight_decay", o.weightDecay()).put("nesterov", o.nesterov());
    }
    if (optimizer instanceof Adam o) {
      n.put("type", o.decoupled() ? "adamw" : "adam").put("lr", o.lr());
      n.putArray("betas").add(o.beta1()).add(o.beta2());
      return n.put("eps", o.eps()).put("weight_decay", o.weightDecay()).put("amsgrad", o.amsgrad());
    }
    if (optimizer instanceof RmsProp o) {
      return n.put("type", "rmsprop").put("lr", o.lr()).put("alpha", o.alpha()).put("eps", o.eps())
          .put("weight_decay", o.weightDecay()).put("momentum", o.momentum()).put("centered", o.centered());
    }
    if (optimizer instanceof Adagrad o) {
      return n.put("type", "adagrad").put("lr", o.lr()).put("lr_decay", o.lrDecay()).put("weight_decay", o.weightDecay())
          .put("initial_accumulator_value", o.initialAccumulator()).put("eps", o.eps());
    }
    throw new IllegalStateException("optimizer " + optimizer + " is not one a spec file can name");
  }

  private static double[] betas(SpecReader r) {
    JsonNode v = r.raw("betas");
    if (v == null || v.isNull()) return new double[] {0.9, 0.999};
    if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
      throw r.error(r.at("betas"), "must be two numbers [beta1, beta2], got " + v);
    }
    return new double[] {v.get(0).doubleValue(), v.get(1).doubleValue()};
  }
}

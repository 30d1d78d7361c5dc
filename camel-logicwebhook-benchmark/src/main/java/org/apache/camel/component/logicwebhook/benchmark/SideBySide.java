package org.apache.camel.component.logicwebhook.benchmark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a baseline and a subject with the same load, alternately (B S, S B, B S, …) after a warm-up of each, and
 * reports the median round of each and their ratio.
 */
final class SideBySide {

    private SideBySide() {
    }

    static Map<String, Object> run(String name, Settings settings, int concurrency, ClosedLoop.Operation baseline,
                                   ClosedLoop.Operation subject) throws InterruptedException {
        ClosedLoop.run(name + "-warmup-baseline", concurrency, settings.warmupMillis(), baseline);
        ClosedLoop.run(name + "-warmup-subject", concurrency, settings.warmupMillis(), subject);
        List<ClosedLoop.Result> baselines = new ArrayList<>();
        List<ClosedLoop.Result> subjects = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        for (int round = 0; round < settings.rounds(); round++) {
            ClosedLoop.Result b;
            ClosedLoop.Result s;
            if (round % 2 == 0) {
                b = ClosedLoop.run(name + "-baseline", concurrency, settings.measureMillis(), baseline);
                s = ClosedLoop.run(name + "-subject", concurrency, settings.measureMillis(), subject);
            } else {
                s = ClosedLoop.run(name + "-subject", concurrency, settings.measureMillis(), subject);
                b = ClosedLoop.run(name + "-baseline", concurrency, settings.measureMillis(), baseline);
            }
            baselines.add(b);
            subjects.add(s);
            ratios.add(s.perSecond() / b.perSecond());
            cpuRatios.add(b.cpuMicrosPerOperation() / s.cpuMicrosPerOperation());
            Benchmark.log("  %s c=%d round %d: baseline %.0f/s p50 %.2f ms p99 %.2f ms %.0f CPU-us |"
                          + " logicwebhook %.0f/s p50 %.2f ms p99 %.2f ms %.0f CPU-us | ratio %.3f, CPU ratio %.3f",
                    name, concurrency, round + 1, b.perSecond(), b.p50Ms(), b.p99Ms(), b.cpuMicrosPerOperation(),
                    s.perSecond(), s.p50Ms(), s.p99Ms(), s.cpuMicrosPerOperation(), s.perSecond() / b.perSecond(),
                    b.cpuMicrosPerOperation() / s.cpuMicrosPerOperation());
        }
        ClosedLoop.Result b = median(baselines);
        ClosedLoop.Result s = median(subjects);
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("concurrency", concurrency);
        map.put("baseline", b.toMap());
        map.put("logicwebhook", s.toMap());
        // the headline ratio pairs each subject round with the baseline round beside it, which cancels most of the
        // drift of a shared machine; the medians of each side are for the absolute figures
        map.put("throughputRatio", Benchmark.round(medianOf(ratios), 3));
        map.put("roundRatioP25", Benchmark.round(quantile(ratios, 0.25), 3));
        map.put("roundRatioP75", Benchmark.round(quantile(ratios, 0.75), 3));
        // what one operation costs in CPU (the whole process), baseline over subject: the throughput ratio that a
        // CPU-bound server would see, and much steadier than wall-clock throughput on a shared machine
        map.put("cpuCapacityRatio", Benchmark.round(medianOf(cpuRatios), 3));
        map.put("cpuRatioP25", Benchmark.round(quantile(cpuRatios, 0.25), 3));
        map.put("cpuRatioP75", Benchmark.round(quantile(cpuRatios, 0.75), 3));
        map.put("ratioOfMedians", Benchmark.round(s.perSecond() / b.perSecond(), 3));
        map.put("p50Ratio", Benchmark.round(s.p50Ms() / b.p50Ms(), 3));
        map.put("p99Ratio", Benchmark.round(s.p99Ms() / b.p99Ms(), 3));
        map.put("roundRatios", ratios.stream().map(r -> Benchmark.round(r, 3)).toList());
        map.put("roundCpuRatios", cpuRatios.stream().map(r -> Benchmark.round(r, 3)).toList());
        map.put("baselineRounds", baselines.stream().map(ClosedLoop.Result::toMap).toList());
        map.put("logicwebhookRounds", subjects.stream().map(ClosedLoop.Result::toMap).toList());
        return map;
    }

    /** The quantile by linear interpolation between the closest ranks. */
    static double quantile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        double at = q * (sorted.size() - 1);
        int low = (int) Math.floor(at);
        int high = (int) Math.ceil(at);
        return sorted.get(low) + (sorted.get(high) - sorted.get(low)) * (at - low);
    }

    static double medianOf(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The round of median throughput (its latencies come with it). */
    private static ClosedLoop.Result median(List<ClosedLoop.Result> results) {
        List<ClosedLoop.Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble(ClosedLoop.Result::perSecond));
        return sorted.get(sorted.size() / 2);
    }
}

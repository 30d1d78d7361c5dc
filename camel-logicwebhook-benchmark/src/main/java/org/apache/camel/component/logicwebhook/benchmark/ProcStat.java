package org.apache.camel.component.logicwebhook.benchmark;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** CPU time and load from /proc (Linux): what the external benchmark reads around each round. */
final class ProcStat {

    /** USER_HZ: the unit of utime and stime in /proc/PID/stat (100 on Linux for x86 and arm). */
    static final long TICKS_PER_SECOND = ticksPerSecond();

    private ProcStat() {
    }

    /** utime + stime of one process, in clock ticks; -1 when it is gone. */
    static long cpuTicks(long pid) {
        String[] fields = statFields(pid);
        return fields == null ? -1 : Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * utime + stime of a process and all its descendants that are alive (an embedded PostgreSQL's server and its
     * backends), in clock ticks.
     */
    static long treeCpuTicks(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        Map<Long, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Paths.get("/proc"), "[0-9]*")) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                String[] fields = statFields(pid);
                if (fields != null) {
                    children.computeIfAbsent(Long.parseLong(fields[1]), p -> new ArrayList<>()).add(pid);
                    ticks.put(pid, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                }
            }
        } catch (IOException e) {
            return cpuTicks(root);
        }
        long sum = 0;
        Deque<Long> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            long pid = todo.pop();
            sum += ticks.getOrDefault(pid, 0L);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return sum;
    }

    /**
     * The PostgreSQL server (postmaster) listening on a port: io.zonky's embedded server is started through pg_ctl, so
     * it is not a child of the JVM that started it; found by its command line ({@code postgres ... -p PORT}). -1 when
     * there is none.
     */
    static long postgresServer(int port) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Paths.get("/proc"), "[0-9]*")) {
            for (Path dir : dirs) {
                String[] args;
                try {
                    args = new String(Files.readAllBytes(dir.resolve("cmdline"))).split("\0");
                } catch (IOException e) {
                    continue;
                }
                if (args.length > 2 && args[0].endsWith("/postgres")) {
                    for (int i = 0; i + 1 < args.length; i++) {
                        if ("-p".equals(args[i]) && Integer.toString(port).equals(args[i + 1])) {
                            return Long.parseLong(dir.getFileName().toString());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The fields after "(comm)" of /proc/PID/stat: [0] is the state, [1] the parent, [11] utime, [12] stime. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The 1-minute load average. */
    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Paths.get("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {busy, total} jiffies of all CPUs of the machine (/proc/stat), for the share of the machine in use. */
    static long[] machineJiffies() {
        try {
            String[] cpu = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < cpu.length; i++) {
                total += Long.parseLong(cpu[i]);
            }
            long idle = Long.parseLong(cpu[4]) + (cpu.length > 5 ? Long.parseLong(cpu[5]) : 0);
            return new long[] { total - idle, total };
        } catch (IOException | RuntimeException e) {
            return new long[] { 0, 0 };
        }
    }

    private static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            getconf.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}

#!/usr/bin/env python3
"""Parses wrk / hey / jcmd output for bench/run.sh and writes the results table."""
import re
import statistics
import sys


def ms(value, unit):
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0, "secs": 1000.0}[unit]
    return float(value) * factor


def wrk(path):
    text = open(path).read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", text)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", text)
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses:\s+(\d+)", r"Socket errors:.*?connect (\d+), read (\d+), write (\d+), timeout (\d+)"):
        match = re.search(pattern, text)
        if match:
            errors += sum(int(g) for g in match.groups())
    print(f"{float(rps.group(1)) if rps else 0:.0f} {ms(*p50.groups()) if p50 else 0:.3f} "
          f"{ms(*p99.groups()) if p99 else 0:.3f} {errors}")


def hey(path):
    text = open(path).read()
    p50 = re.search(r"50%+ in ([\d.]+) secs", text)
    p99 = re.search(r"99%+ in ([\d.]+) secs", text)
    codes = re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)
    errors = sum(int(n) for code, n in codes if not code.startswith("2"))
    errors += len(re.findall(r"Error distribution", text))
    print(f"{float(p50.group(1)) * 1000 if p50 else 0:.3f} {float(p99.group(1)) * 1000 if p99 else 0:.3f} {errors}")


def rows(path):
    data = {}
    for line in open(path):
        parts = line.split()
        if len(parts) < 2:
            continue
        data.setdefault(parts[0], {}).setdefault(parts[1], []).append(parts[2:])
    return data


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def median_rps(path, config):
    runs = rows(path).get(config, {}).get("throughput", [])
    print(f"{median([float(r[0]) for r in runs]) or 0:.0f}")


def report(path, commit, runs, duration, connections):
    data = rows(path)
    order = ["direct", "nginx", "vanilla-scg", "plain", "keyauth", "full", "cached", "cached-redis", "validated"]
    summary = {}
    lines = [f"# Tollgate benchmark (commit {commit})", "",
             f"Medians of {runs} runs of {duration} s; wrk -t1 -c{connections} for throughput; hey at a fixed rate of half the "
             "`plain` maximum for latency. Each JVM warms up on both cores, then is pinned to one core for measurement "
             "(-XX:ActiveProcessorCount=1, -Xmx256m); wrk/hey, the nginx upstream and Redis share the other core. "
             "Loopback only.", "",
             "| config | RPS | p50 ms (max load) | p99 ms (max load) | p50 ms (50% rate) | p99 ms (50% rate) | errors | RSS MB | heap after GC MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for config in order:
        if config not in data:
            continue
        t = data[config].get("throughput", [])
        l = data[config].get("latency", [])
        m = data[config].get("memory", [["-", "-"]])[0]
        rps = median([float(r[0]) for r in t])
        p50 = median([float(r[1]) for r in t])
        p99 = median([float(r[2]) for r in t])
        errors = sum(int(r[3]) for r in t) + sum(int(r[3]) for r in l)
        lp50 = median([float(r[1]) for r in l])
        lp99 = median([float(r[2]) for r in l])
        summary[config] = {"rps": rps, "lp99": lp99}
        fmt = lambda v, d=2: "-" if v is None else f"{v:.{d}f}"
        lines.append(f"| {config} | {fmt(rps, 0)} | {fmt(p50)} | {fmt(p99)} | {fmt(lp50)} | {fmt(lp99)} | {errors} | "
                     f"{m[0] if len(m) > 0 else '-'} | {m[1] if len(m) > 1 else '-'} |")

    def ratio(a, b, key="rps"):
        if a in summary and b in summary and summary[a][key] and summary[b][key]:
            return summary[a][key] / summary[b][key]
        return None

    targets = [
        ("full / plain throughput", ratio("full", "plain"), ">= 0.80", lambda r: r >= 0.80),
        ("full / plain p99 at 50% rate", ratio("full", "plain", "lp99"), "<= 1.5", lambda r: r <= 1.5),
        ("plain / vanilla-scg throughput", ratio("plain", "vanilla-scg"), ">= 0.95", lambda r: r >= 0.95),
        ("plain / nginx throughput", ratio("plain", "nginx"), ">= 0.40", lambda r: r >= 0.40),
        ("cached / plain throughput", ratio("cached", "plain"), ">= 1.0", lambda r: r >= 1.0),
        ("validated / full throughput", ratio("validated", "full"), ">= 0.6", lambda r: r >= 0.6),
    ]
    lines += ["", "| target | measured | goal | holds |", "|---|---|---|---|"]
    for name, value, goal, check in targets:
        lines.append(f"| {name} | {'-' if value is None else f'{value:.2f}'} | {goal} | "
                     f"{'-' if value is None else ('yes' if check(value) else 'NO')} |")
    soak = data.get("soak", {}).get("sample", [])
    rss = [int(v["memory"][0][0]) for v in data.values() if "memory" in v and v["memory"][0][0].isdigit()]
    rss += [int(s[1]) for s in soak if len(s) > 1 and s[1].isdigit()]
    if rss:
        lines.append(f"| gateway RSS, worst configuration and soak | {max(rss)} MB | <= 512 MB | {'yes' if max(rss) <= 512 else 'NO'} |")
    heaps = [(int(s[0]), float(s[2])) for s in soak if len(s) > 2 and s[2] not in ("-", "")]
    if len(heaps) >= 3:
        # After the first minute (caches and pools filled), heap after GC should not grow: a leak climbs steadily.
        settled = [h for t, h in heaps if t >= 60] or [h for _, h in heaps]
        growth = settled[-1] - settled[0]
        flat = growth <= max(2.0, 0.1 * settled[0])
        lines.append(f"| heap after GC across the soak ({heaps[-1][0]} s, `full` at 50% rate) | "
                     f"{settled[0]:.0f} -> {settled[-1]:.0f} MB | flat | {'yes' if flat else 'NO'} |")
        lat = data.get("soak", {}).get("latency", [])
        lines += ["", "Soak samples (s: RSS MB / heap after GC MB): "
                  + ", ".join(f"{s[0]}: {s[1]}/{s[2]}" for s in soak)
                  + (f"; latency at {lat[0][0]} req/s: p50 {lat[0][1]} ms, p99 {lat[0][2]} ms, errors {lat[0][3]}" if lat else "")]
    print("\n".join(lines))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "wrk":
        wrk(sys.argv[2])
    elif mode == "hey":
        hey(sys.argv[2])
    elif mode == "median-rps":
        median_rps(sys.argv[2], sys.argv[3])
    elif mode == "report":
        report(*sys.argv[2:7])

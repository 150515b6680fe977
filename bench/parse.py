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


def prom_sum(path, metric):
    """Sums every sample of one metric (all label sets) in a Prometheus text exposition; 0 when it is absent."""
    total = 0.0
    for line in open(path):
        match = re.match(re.escape(metric) + r"(\{[^}]*\})?\s+([0-9.eE+-]+|NaN)(\s.*)?$", line)
        if match and match.group(2) != "NaN":
            total += float(match.group(2))
    print(f"{total:.0f}")


# Every configuration bench/run.sh knows, in the order of the table; non-Tollgate peers are not held to Tollgate's
# memory target.
ORDER = ["direct", "nginx", "netty-proxy", "vanilla-scg", "plain", "keyauth", "keys-100k", "runtime-100k", "full",
         "full-batched",
         "cached", "cached-redis", "validated", "routes-1k", "routes-10k"]
PEERS = {"direct", "nginx", "netty-proxy", "vanilla-scg"}


def fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def summarize(data):
    """Per configuration: medians of the runs, errors, startup, memory and fallbacks (None where not measured)."""
    summary = {}
    for config, kinds in data.items():
        if config in ("meta", "soak"):
            continue
        t = kinds.get("throughput", [])
        lat = kinds.get("latency", [])
        mem = (kinds.get("memory") or [["-", "-"]])[0] + ["-", "-"]
        summary[config] = {
            "rps": median([float(r[0]) for r in t]),
            "rps_min": min((float(r[0]) for r in t), default=None),
            "rps_max": max((float(r[0]) for r in t), default=None),
            "p50": median([float(r[1]) for r in t]),
            "p99": median([float(r[2]) for r in t]),
            "lp50": median([float(r[1]) for r in lat]),
            "lp99": median([float(r[2]) for r in lat]),
            "errors": sum(int(r[3]) for r in t) + sum(int(r[3]) for r in lat),
            "startup": number((kinds.get("startup") or [[None]])[0][0]),
            "rss": number(mem[0]),
            "heap": number(mem[1]),
            # total since start, and how many of them came during the warm-up (older results: total only)
            "fallbacks": number((kinds.get("fallbacks") or [[None]])[0][0]),
            "warm_fallbacks": number(((kinds.get("fallbacks") or [[None]])[0] + [None])[1]),
            "failed": "failed" in kinds,
        }
    return summary


def after_warmup(total, warm):
    if total is None:
        return None
    return total - warm if warm is not None else total


def warmup_note(warm):
    return f" (+{warm:.0f} in warm-up)" if warm else ""


def fallback_text(total, warm):
    if total is None:
        return "-"
    return f"{total:.0f} ({warm:.0f})" if warm is not None else f"{total:.0f}"


def meta(data, key):
    values = data.get("meta", {}).get(key, [])
    return " ".join(values[0]) if values and values[0] else "-"


def report(path, commit, runs, duration, connections, latency_runs=None, warmup=None, pin_warmup=None):
    data = rows(path)
    summary = summarize(data)
    soak_kinds = data.get("soak", {})
    lines = [f"# Tollgate benchmark (commit {commit})", "",
             f"JVM: {meta(data, 'java')} ({meta(data, 'java-home')}); flags `{meta(data, 'flags')}`; "
             f"collector {meta(data, 'gc')}.", "",
             f"Medians of {runs} runs of {duration} s with wrk -t1 -c{connections} for throughput (RPS range: the slowest "
             f"and fastest run); medians of {latency_runs or runs} runs of hey at a fixed rate of half the `plain` "
             f"maximum for latency. Each JVM warms up on both cores"
             + (f" for {warmup} s" if warmup else "") + ", then is pinned to one core for measurement "
             "(-XX:ActiveProcessorCount=1, -Xmx256m)"
             + (f" and warms up {pin_warmup} s more there" if pin_warmup and pin_warmup != "0" else "")
             + "; wrk/hey, the nginx upstream and Redis share the other core. "
             "Loopback only. Startup: seconds from launching the JVM (both cores) until the URL answers. RL fallbacks: "
             "`tollgate_ratelimit_fallbacks_total` (all labels) at the end, in brackets how many of them came during "
             "the warm-up.", "",
             "| config | RPS | RPS range | p50 ms (max load) | p99 ms (max load) | p50 ms (50% rate) | p99 ms (50% rate) | errors | "
             "startup s | RSS MB | heap after GC MB | RL fallbacks (in warm-up) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for config in ORDER + sorted(c for c in summary if c not in ORDER):
        if config not in summary:
            continue
        s = summary[config]
        if s["failed"]:
            lines.append(f"| {config} | failed to start | - | - | - | - | - | - | - | - | - | - |")
            continue
        spread = f"{s['rps_min']:.0f}-{s['rps_max']:.0f}" if s["rps_min"] is not None else "-"
        lines.append(f"| {config} | {fmt(s['rps'], 0)} | {spread} | {fmt(s['p50'])} | {fmt(s['p99'])} | {fmt(s['lp50'])} | "
                     f"{fmt(s['lp99'])} | {s['errors']} | {fmt(s['startup'], 1)} | {fmt(s['rss'], 0)} | "
                     f"{fmt(s['heap'], 0)} | {fallback_text(s['fallbacks'], s['warm_fallbacks'])} |")

    def measured(config, key):
        s = summary.get(config)
        return None if s is None or s["failed"] else s[key]

    def ratio(a, b, key="rps"):
        x, y = measured(a, key), measured(b, key)
        return x / y if x and y else None

    targets = []  # (name, value, goal, check, configs whose errors void it, digits, unit)

    def target(name, value, goal, check, configs=(), digits=2, unit=""):
        targets.append((name, value, goal, check, configs, digits, unit))

    target("full / plain throughput", ratio("full", "plain"), ">= 0.80", lambda r: r >= 0.80, ("full", "plain"))
    target("full-batched / plain throughput", ratio("full-batched", "plain"), ">= 0.90", lambda r: r >= 0.90,
           ("full-batched", "plain"))
    target("full / plain p99 at 50% rate", ratio("full", "plain", "lp99"), "<= 1.5", lambda r: r <= 1.5,
           ("full", "plain"))
    target("plain / vanilla-scg throughput", ratio("plain", "vanilla-scg"), ">= 0.95", lambda r: r >= 0.95,
           ("plain", "vanilla-scg"))
    target("cached / plain throughput", ratio("cached", "plain"), ">= 1.0", lambda r: r >= 1.0, ("cached", "plain"))
    target("routes-10k / plain throughput", ratio("routes-10k", "plain"), ">= 0.90", lambda r: r >= 0.90,
           ("routes-10k", "plain"))
    target("keys-100k / keyauth throughput", ratio("keys-100k", "keyauth"), ">= 0.95", lambda r: r >= 0.95,
           ("keys-100k", "keyauth"))
    target("keys-100k startup", measured("keys-100k", "startup"), "< 15 s", lambda v: v < 15, ("keys-100k",),
           digits=1, unit=" s")
    target("runtime-100k / keyauth throughput", ratio("runtime-100k", "keyauth"), ">= 0.95", lambda r: r >= 0.95,
           ("runtime-100k", "keyauth"))
    target("runtime-100k startup", measured("runtime-100k", "startup"), "< 15 s", lambda v: v < 15,
           ("runtime-100k",), digits=1, unit=" s")
    target("validated / full throughput", ratio("validated", "full"), ">= 0.6", lambda r: r >= 0.6,
           ("validated", "full"))
    # Fallbacks while measured (after the warm-up, whose cold JIT on a saturated JVM is not the state under test);
    # the warm-up's own count is shown beside it.
    for config in ("full", "full-batched"):
        total, warm = measured(config, "fallbacks"), measured(config, "warm_fallbacks")
        target(f"rate-limit fallbacks during {config} (after warm-up)", after_warmup(total, warm), "0",
               lambda v: v == 0, digits=0, unit=warmup_note(warm))
    soak_row = (soak_kinds.get("fallbacks") or [[None]])[0] + [None]
    total, warm = number(soak_row[0]), number(soak_row[1])
    target("rate-limit fallbacks during the soak (after warm-up)", after_warmup(total, warm), "0", lambda v: v == 0,
           digits=0, unit=warmup_note(warm))
    rss = [s["rss"] for c, s in summary.items() if c not in PEERS and s["rss"] is not None]
    rss += [number(r[1]) for r in soak_kinds.get("sample", []) if len(r) > 1 and number(r[1]) is not None]
    target("gateway RSS, worst configuration and soak (-Xmx256m)", max(rss) if rss else None, "<= 512 MB",
           lambda v: v <= 512, digits=0, unit=" MB")

    def row(name, value, goal, check, configs, digits, unit):
        if value is None:
            holds = "-"
        else:
            holds = "yes" if check(value) else "NO"
            noisy = [c for c in configs if summary.get(c, {}).get("errors")]
            if noisy:
                holds += f" (errors in {', '.join(noisy)}: not valid)"
        lines.append(f"| {name} | {fmt(value, digits)}{unit if value is not None else ''} | {goal} | {holds} |")

    lines += ["", "| target | measured | goal | holds |", "|---|---|---|---|"]
    for t in targets:
        row(*t)

    soak = soak_kinds.get("sample", [])
    heaps = [(int(s[0]), float(s[2])) for s in soak if len(s) > 2 and number(s[2]) is not None]
    if len(heaps) >= 3:
        # After the first minute (caches and pools filled), heap after GC should not grow: a leak climbs steadily.
        settled = [h for t, h in heaps if t >= 60] or [h for _, h in heaps]
        growth = settled[-1] - settled[0]
        flat = growth <= max(2.0, 0.1 * settled[0])
        lines.append(f"| heap after GC across the soak ({heaps[-1][0]} s, `full` at 50% rate) | "
                     f"{settled[0]:.0f} -> {settled[-1]:.0f} MB | flat | {'yes' if flat else 'NO'} |")
    else:
        lines.append("| heap after GC across the soak (`full` at 50% rate) | - | flat | - |")
    row("*moonshot:* plain / nginx throughput", ratio("plain", "nginx"), ">= 0.40", lambda r: r >= 0.40,
        ("plain", "nginx"), 2, "")
    row("*moonshot:* plain / netty-proxy throughput", ratio("plain", "netty-proxy"), ">= 0.8", lambda r: r >= 0.8,
        ("plain", "netty-proxy"), 2, "")

    failed = [c for c, s in summary.items() if s["failed"]]
    if failed:
        lines += ["", "Failed to start (see the logs run.sh names): " + ", ".join(failed)]
    if soak:
        lat = soak_kinds.get("latency", [])
        lines += ["", "Soak samples (s: RSS MB / heap after GC MB): "
                  + ", ".join(f"{s[0]}: {s[1]}/{s[2]}" for s in soak if len(s) > 2)
                  + (f"; latency at {lat[0][0]} req/s: p50 {lat[0][1]} ms, p99 {lat[0][2]} ms, errors {lat[0][3]}" if lat else "")]
    print("\n".join(lines))


def runtimes(out, *dirs):
    """One table from bench/runtimes.sh's runs: each DIR holds the raw.txt of one (JDK, collector) run of plain/full."""
    lines = ["# Tollgate: plain and full per JDK and collector", "",
             "Each row is one bench/run.sh run (CONFIGS=\"plain full\", SOAK=0); see bench/runtimes.sh.", "",
             "| JDK | collector | plain RPS | full RPS | full / plain | plain p99 ms (50% rate) | full p99 ms (50% rate) | "
             "plain startup s | plain RSS MB | full RSS MB | errors |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for directory in dirs:
        try:
            data = rows(f"{directory}/raw.txt")
        except OSError:
            lines.append(f"| {directory} | no results | - | - | - | - | - | - | - | - | - |")
            continue
        summary = summarize(data)
        plain, full = summary.get("plain", {}), summary.get("full", {})
        r = full.get("rps") / plain.get("rps") if full.get("rps") and plain.get("rps") else None
        errors = (plain.get("errors") or 0) + (full.get("errors") or 0)
        lines.append(f"| {meta(data, 'java')} | {meta(data, 'gc')} | {fmt(plain.get('rps'), 0)} | {fmt(full.get('rps'), 0)} | "
                     f"{fmt(r)} | {fmt(plain.get('lp99'))} | {fmt(full.get('lp99'))} | {fmt(plain.get('startup'), 1)} | "
                     f"{fmt(plain.get('rss'), 0)} | {fmt(full.get('rss'), 0)} | {errors} |")
    text = "\n".join(lines)
    print(text)
    with open(out, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "wrk":
        wrk(sys.argv[2])
    elif mode == "hey":
        hey(sys.argv[2])
    elif mode == "median-rps":
        median_rps(sys.argv[2], sys.argv[3])
    elif mode == "report":
        report(*sys.argv[2:10])
    elif mode == "prom-sum":
        prom_sum(sys.argv[2], sys.argv[3])
    elif mode == "runtimes":
        runtimes(*sys.argv[2:])

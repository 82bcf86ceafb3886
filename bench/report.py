#!/usr/bin/python3
"""Turns bench/run.sh's measurements into bench/results/latest.md and plots.

Inputs: the points, one JSON object per line (`label` = scenario; the
loadgen's output, or h2load's figures with "tool": "h2load" and a label
starting "h2load "), and run.sh's facts (key<TAB>value lines: RSS, audit
log, metrics, host, load). Outputs: latest.md (tables; the issues' targets
with met/missed), qps.png, latency.png and scaling.png (gnuplot, when
installed). It reports targets as met or missed and never fails because of
them.

Usage: bench/report.py POINTS.jsonl FACTS.tsv OUT_DIR
"""

import json
import os
import re
import shutil
import subprocess
import sys

SWEEP = [
    "health",
    "floor",
    "rtc_uid 006",
    "rtc_uid 007 compatible",
    "rtc_uid 007 fast",
    "batch 100x006",
    "node rtc_uid 006",
    "node rtc_uid 007",
]
# Which Node scenario each of ours is compared with.
NODE_PEER = {
    "rtc_uid 006": "node rtc_uid 006",
    "rtc_uid 007 compatible": "node rtc_uid 007",
    "rtc_uid 007 fast": "node rtc_uid 007",
}
BATCH_SIZE = 100
# Issue 19: each scenario's least share of the bare gRPC floor's QPS
# (agora-token-floor-server, the same run), with the loadgen and with h2load.
FLOOR_TARGETS = [("rtc_uid 007 compatible", 0.85), ("rtc_uid 006", 0.95), ("rtc_uid 007 fast", 0.95)]
# Issue 19: the production scenario (TLS, authenticated callers, audit log,
# metrics) against the health check over the same TLS.
PRODUCTION_FLOOR = "prod health"
PRODUCTION = ["prod rtc_uid 007 compatible mTLS", "prod rtc_uid 007 compatible API key",
              "prod rtc_uid 006 mTLS"]
PRODUCTION_TARGET = ("rtc_uid 007 compatible", 0.80)
SCALE_LABEL = re.compile(r"^scale (\d+) CPU (.*)$")


def load(points_path, facts_path):
    points = [json.loads(line) for line in open(points_path) if line.strip()]
    facts = {}
    for line in open(facts_path):
        key, _, value = line.rstrip("\n").partition("\t")
        facts[key] = value
    return points, facts


def closed_loop(points, label):
    """Closed-loop points of a scenario by concurrency: with several rounds,
    the round with the median QPS (a whole point, so its latencies and CPU
    figures belong together)."""
    rounds = {}
    for p in points:
        if p["label"] == label and p["rate"] == 0:
            rounds.setdefault(p["concurrency"], []).append(p)
    return {c: sorted(ps, key=lambda p: p["qps"])[(len(ps) - 1) // 2] for c, ps in rounds.items()}


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}"


def fmt_us(value):
    return f"{value:,.0f}"


def fmt_count(value):
    return "—" if value is None else f"{value:,.0f}"


def fmt_cpu(value):
    return "—" if value is None else f"{value:.1f}"


def ratio(a, b):
    return a / b if b else None


def verdict(ok):
    return "**met**" if ok else "**missed**"


def sweep_table(points):
    floor = closed_loop(points, "floor")
    health = closed_loop(points, "health")
    rows = [
        "| scenario | concurrency | QPS | p50 µs | p99 µs | p99.9 µs | errors | ratio vs floor | ratio vs health "
        "| ratio vs Node | server CPU µs/call | CPU ratio vs floor | loadgen CPU µs/call |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in SWEEP:
        by_c = closed_loop(points, label)
        node = closed_loop(points, NODE_PEER.get(label, ""))
        ours = not label.startswith("node") and not label.startswith("batch")
        for c in sorted(by_c):
            p = by_c[c]
            vs_floor = ratio(p["qps"], floor[c]["qps"]) if ours and c in floor else None
            vs_health = ratio(p["qps"], health[c]["qps"]) if ours and c in health else None
            vs_node = ratio(p["qps"], node[c]["qps"]) if c in node else None
            # Server capacity relative to the floor: the floor's CPU per call
            # over this scenario's, the ratio of the calls one CPU second serves.
            cpu = p.get("server_cpu_us_per_call")
            cpu_vs_floor = None
            if vs_floor is not None and cpu and floor[c].get("server_cpu_us_per_call"):
                cpu_vs_floor = floor[c]["server_cpu_us_per_call"] / cpu
            name = label + (" (calls; ×100 tokens)" if label.startswith("batch") else "")
            lat = p["latency_us"]
            rows.append(
                f"| {name} | {c} | {p['qps']:,.0f} | {fmt_us(lat['p50'])} | {fmt_us(lat['p99'])} | "
                f"{fmt_us(lat['p999'])} | {p['errors'] + p['bad_responses']} | {fmt_ratio(vs_floor)} | "
                f"{fmt_ratio(vs_health)} | {fmt_ratio(vs_node)} | {fmt_cpu(cpu)} | {fmt_ratio(cpu_vs_floor)} | "
                f"{fmt_cpu(p.get('client_cpu_us_per_call'))} |"
            )
    return rows


def peak(points, label):
    by_c = closed_loop(points, label)
    if not by_c:
        return None, None
    best = max(by_c.values(), key=lambda p: p["qps"])
    return best["qps"], best["concurrency"]


def capacity_note(point, floor_point):
    """The floor's server CPU per call over the scenario's: how many of its
    calls one CPU second serves relative to the floor, which unlike QPS
    does not move with the load generator's share of the CPUs."""
    cpu, floor_cpu = point.get("server_cpu_us_per_call"), floor_point.get("server_cpu_us_per_call")
    if not cpu or not floor_cpu:
        return ""
    return f"; server CPU per call {cpu:.1f} vs {floor_cpu:.1f} µs (capacity ratio {floor_cpu / cpu:.2f})"


def issue19_targets(points):
    """Issue 19: the scenarios against the bare gRPC floor (loadgen and
    h2load), and the production scenario against the TLS health check."""
    rows = ["| target | measured | result |", "|---|---|---|"]
    floor = closed_loop(points, "floor")
    floor_peak, floor_c = peak(points, "floor")
    h2load_floor = closed_loop(points, "h2load floor").get(128)
    for label, share in FLOOR_TARGETS:
        qps, c = peak(points, label)
        if qps is None or not floor_peak:
            rows.append(f"| {label} ≥ {share:.2f} of the bare gRPC floor (loadgen) | not measured | — |")
        else:
            by_c = closed_loop(points, label)
            per_c = ", ".join(f"c={k}: {by_c[k]['qps'] / floor[k]['qps']:.2f}" for k in sorted(by_c) if k in floor)
            rows.append(
                f"| {label} ≥ {share:.2f} of the bare gRPC floor (loadgen) | peak {qps:,.0f} (c={c}) / floor peak "
                f"{floor_peak:,.0f} (c={floor_c}) = **{qps / floor_peak:.2f}**; per concurrency {per_c}"
                f"{capacity_note(by_c[c], floor[c]) if c in floor else ''} | {verdict(qps / floor_peak >= share)} |")
        ours = closed_loop(points, "h2load " + label).get(128)
        if ours is None or not h2load_floor or not h2load_floor["qps"]:
            rows.append(f"| {label} ≥ {share:.2f} of the bare gRPC floor (h2load) | not measured | — |")
        else:
            r = ours["qps"] / h2load_floor["qps"]
            rows.append(
                f"| {label} ≥ {share:.2f} of the bare gRPC floor (h2load) | {ours['qps']:,.0f} / {h2load_floor['qps']:,.0f} "
                f"req/s = **{r:.2f}** (128 streams, median of {rounds_of(points, 'h2load ' + label)} rounds)"
                f"{capacity_note(ours, h2load_floor)} | {verdict(r >= share)} |")
    kind, share = PRODUCTION_TARGET
    health = closed_loop(points, PRODUCTION_FLOOR)
    health_peak, health_c = peak(points, PRODUCTION_FLOOR)
    for label in PRODUCTION:
        if kind not in label:
            continue
        qps, c = peak(points, label)
        title = f"production {label[len('prod '):]} ≥ {share:.2f} of the TLS health check"
        if qps is None or not health_peak:
            rows.append(f"| {title} | not measured | — |")
            continue
        by_c = closed_loop(points, label)
        per_c = ", ".join(
            f"c={k}: {by_c[k]['qps']:,.0f} QPS = {by_c[k]['qps'] / health[k]['qps']:.2f}, p99 "
            f"{by_c[k]['latency_us']['p99'] / 1000:.2f} vs {health[k]['latency_us']['p99'] / 1000:.2f} ms"
            for k in sorted(by_c) if k in health)
        rows.append(
            f"| {title} | peak {qps:,.0f} (c={c}) / TLS health peak {health_peak:,.0f} (c={health_c}) = "
            f"**{qps / health_peak:.2f}**; {per_c}{capacity_note(by_c[c], health[c]) if c in health else ''} "
            f"| {verdict(qps / health_peak >= share)} |")
    return rows


def rounds_of(points, label):
    return sum(1 for p in points if p["label"] == label and p["rate"] == 0)


def targets(points, facts):
    rows = ["| target | measured | result |", "|---|---|---|"]
    floor_peak, floor_c = peak(points, "health")
    floor = closed_loop(points, "health")
    for label, share in [("rtc_uid 007 compatible", 0.75), ("rtc_uid 006", 0.90), ("rtc_uid 007 fast", 0.90)]:
        qps, c = peak(points, label)
        if qps is None or not floor_peak:
            rows.append(f"| {label} ≥ {share:.0%} of the health floor | not measured | — |")
            continue
        by_c = closed_loop(points, label)
        per_c = [ratio(by_c[k]["qps"], floor[k]["qps"]) for k in sorted(by_c) if k in floor]
        cpu_ratios = [floor[k]["server_cpu_us_per_call"] / by_c[k]["server_cpu_us_per_call"]
                      for k in sorted(by_c)
                      if k in floor and by_c[k].get("server_cpu_us_per_call") and floor[k].get("server_cpu_us_per_call")]
        cpu_note = ""
        if cpu_ratios:
            cpu_ratios.sort()
            cpu_note = (f"; server capacity (CPU per call, health over this) median "
                        f"{cpu_ratios[len(cpu_ratios) // 2]:.0%}")
        rows.append(
            f"| {label} ≥ {share:.0%} of the health-check floor QPS | peak {qps:,.0f} (c={c}) vs floor "
            f"peak {floor_peak:,.0f} (c={floor_c}) = {qps / floor_peak:.0%}; per concurrency "
            f"{', '.join(f'{r:.0%}' for r in per_c)}{cpu_note} | {verdict(qps / floor_peak >= share)} |"
        )
    ours = closed_loop(points, "rtc_uid 007 compatible")
    node = closed_loop(points, "node rtc_uid 007")
    common = sorted(set(ours) & set(node))
    if common:
        ratios = [ours[c]["qps"] / node[c]["qps"] for c in common]
        p99s = [(ours[c]["latency_us"]["p99"], node[c]["latency_us"]["p99"]) for c in common]
        # What no handler can beat: the health check (no work at all) over
        # the Node peer's 007, at each concurrency.
        health = closed_loop(points, "health")
        ceiling = [f"c={c}: {health[c]['qps'] / node[c]['qps']:.1f}×" for c in common if c in health]
        fast = closed_loop(points, "rtc_uid 007 fast")
        fast_ratios = [f"c={c}: {fast[c]['qps'] / node[c]['qps']:.1f}×" for c in common if c in fast]
        rows.append(
            f"| 007 compatible ≥ 5× the Node peer's QPS | {', '.join(f'c={c}: {r:.1f}×' for c, r in zip(common, ratios))}"
            f"{'; the ceiling, the health check over the same Node 007: ' + ', '.join(ceiling) if ceiling else ''}"
            f"{'; 007 fast: ' + ', '.join(fast_ratios) if fast_ratios else ''} "
            f"| {verdict(min(ratios) >= 5)} (needed at every concurrency) |"
        )
        rows.append(
            f"| 007 compatible p99 below the Node peer's at every concurrency | "
            f"{', '.join(f'c={c}: {a:,.0f} vs {b:,.0f} µs' for c, (a, b) in zip(common, p99s))} "
            f"| {verdict(all(a < b for a, b in p99s))} |"
        )
    def paced_point(label):
        """The open-loop round with the median p99."""
        paced = sorted((p for p in points if p["label"] == label and p["rate"] > 0),
                       key=lambda p: p["latency_us"]["p99"])
        return paced[(len(paced) - 1) // 2] if paced else None

    def half_peak_text(p):
        return (f"{p['qps']:,.0f} QPS at {p['rate']:,.0f}/s offered: p50 {p['latency_us']['p50']:,.0f} µs, "
                f"p99 {p['latency_us']['p99'] / 1000:.2f} ms, p99.9 {p['latency_us']['p999'] / 1000:.2f} ms, "
                f"{p['errors']} errors")

    shared_floor, pinned_floor = paced_point("health"), paced_point("pinned health")
    for label in ["rtc_uid 006", "rtc_uid 007 compatible", "rtc_uid 007 fast"]:
        shared, pinned = paced_point(label), paced_point("pinned " + label)
        if shared is None:
            continue
        shared_ok = shared["latency_us"]["p99"] <= 2000
        text = (f"CPUs shared: {half_peak_text(shared)}; sends behind schedule p99 "
                f"{shared.get('send_lag_us', {}).get('p99', 0) / 1000:.2f} ms")
        if shared_floor:
            text += f" (the health check at half its peak: p99 {shared_floor['latency_us']['p99'] / 1000:.2f} ms)"
        result = verdict(shared_ok)
        if pinned:
            pinned_ok = pinned["latency_us"]["p99"] <= 2000
            text += f". Pinned: {half_peak_text(pinned)}"
            if pinned_floor:
                text += f" (health: p99 {pinned_floor['latency_us']['p99'] / 1000:.2f} ms)"
            if pinned_ok != shared_ok:
                result = f"{verdict(shared_ok)} with the CPUs shared, {verdict(pinned_ok)} pinned"
        rows.append(f"| {label}: p99 ≤ 2 ms at half of peak load | {text} | {result} |")
    batch_qps, batch_c = peak(points, "batch 100x006")
    if batch_qps is not None:
        tokens = batch_qps * BATCH_SIZE
        rows.append(
            f"| BuildTokens batches of 100 ≥ 400k tokens/s (006) | {tokens:,.0f} tokens/s "
            f"({batch_qps:,.0f} calls/s, c={batch_c}) | {verdict(tokens >= 400000)} |"
        )
    rss = facts.get("rss_1000_streams_hwm_kib")
    if rss:
        mib = int(rss) / 1024
        rows.append(
            f"| server RSS < 64 MiB at 1,000 concurrent streams | peak (VmHWM) {mib:.1f} MiB: a fresh server "
            f"under 1,000 concurrent 007 calls | {verdict(mib < 64)} |"
        )
    return rows


def extra_tables(points, facts):
    lines = []
    batch = closed_loop(points, "batch 100x006")
    if batch:
        lines += ["", "### BuildTokens, 100 items of 006 per call", "",
                  "| concurrency | calls/s | tokens/s | p99 µs |", "|---:|---:|---:|---:|"]
        for c in sorted(batch):
            p = batch[c]
            lines.append(f"| {c} | {p['qps']:,.0f} | {p['qps'] * BATCH_SIZE:,.0f} | {fmt_us(p['latency_us']['p99'])} |")
    paced = {}  # label -> its open-loop rounds, in the order measured
    for p in points:
        if p["rate"] > 0:
            paced.setdefault(p["label"], []).append(p)
    if paced:
        lines += ["", "### Half of peak load (open loop: latency counts from each call's scheduled send time)", "",
                  "Each scenario's round with the median p99; the last column lists every round's p99.", "",
                  "| scenario | offered /s | achieved QPS | p50 µs | p99 µs | p99.9 µs | max µs | errors "
                  "| send lag p50 / p99 µs | p99 per round µs |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, rounds in paced.items():
            p = sorted(rounds, key=lambda r: r["latency_us"]["p99"])[(len(rounds) - 1) // 2]
            lat = p["latency_us"]
            lag = p.get("send_lag_us", {})
            lines.append(f"| {p['label']} | {p['rate']:,.0f} | {p['qps']:,.0f} | {fmt_us(lat['p50'])} | "
                         f"{fmt_us(lat['p99'])} | {fmt_us(lat['p999'])} | {fmt_us(lat['max'])} | {p['errors']} | "
                         f"{fmt_us(lag.get('p50', 0))} / {fmt_us(lag.get('p99', 0))} | "
                         f"{', '.join(fmt_us(r['latency_us']['p99']) for r in rounds)} |")
        lines += ["", "Send lag: how late the generator sent each call. A call due while all 512 slots were "
                  "busy counts its latency from its scheduled time; one merely sent late by the generator's "
                  "timer counts from when it was sent."]
    if any(p.get("tool") == "h2load" for p in points):
        lines += ["", "### h2load (128 streams, one repeated body)", "",
                  "h2load counts HTTP 2xx, which gRPC sends even for failed calls; grpc-status is "
                  "checked by the loadgen rows (errors column) against the same servers. h2load costs "
                  "less CPU per call than the gRPC C++ client, so it leaves the server more of the shared CPUs. "
                  "Rows measured in rounds show the median round. Ratio: QPS over the bare gRPC floor's "
                  "(agora-token-floor-server); the Node rows over the Node peer's own health check.", "",
                  "| server | call | h2load req/s | rounds | HTTP 2xx | failed | ratio | server CPU µs/call "
                  "| loadgen QPS at c=128 |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        floor = closed_loop(points, "h2load floor").get(128)
        node_health = closed_loop(points, "h2load node health").get(128)
        for label, server, call in [("floor", "bare gRPC floor", "BuildRtcTokenWithUid 007 (empty answer)"),
                                    ("health", "ours", "health"),
                                    ("rtc_uid 006", "ours (compatible)", "BuildRtcTokenWithUid 006"),
                                    ("rtc_uid 007 compatible", "ours (compatible)", "BuildRtcTokenWithUid 007"),
                                    ("rtc_uid 007 fast", "ours (fast)", "BuildRtcTokenWithUid 007"),
                                    ("node health", "node", "health"),
                                    ("node rtc_uid 007", "node", "BuildRtcTokenWithUid 007")]:
            p = closed_loop(points, "h2load " + label).get(128)
            if p is None:
                continue
            base = node_health if label.startswith("node") else floor
            vs = ratio(p["qps"], base["qps"]) if base else None
            loadgen = closed_loop(points, label).get(128)
            lines.append(f"| {server} | {call} | {p['qps']:,.0f} | {rounds_of(points, 'h2load ' + label)} | "
                         f"{fmt_count(p['http_2xx'])} | {fmt_count(p['failed'])} | {fmt_ratio(vs)} | "
                         f"{fmt_cpu(p['server_cpu_us_per_call'])} | "
                         f"{fmt_count(loadgen['qps'] if loadgen else None)} |")
    pinned = [p for p in points if p["label"].startswith("pinned") and p["rate"] == 0]
    if pinned:
        lines += ["", "### Pinned: server (and Node peer) on CPU 0, loadgen on CPU 1", "",
                  "| scenario | concurrency | QPS | p50 µs | p99 µs | p99.9 µs | errors | ratio vs health "
                  "| server CPU µs/call | loadgen CPU µs/call |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        floor = closed_loop(points, "pinned health")
        for p in pinned:
            f = floor.get(p["concurrency"])
            vs = ratio(p["qps"], f["qps"]) if f and "node" not in p["label"] else None
            lat = p["latency_us"]
            lines.append(f"| {p['label']} | {p['concurrency']} | {p['qps']:,.0f} | {fmt_us(lat['p50'])} | "
                         f"{fmt_us(lat['p99'])} | {fmt_us(lat['p999'])} | {p['errors'] + p['bad_responses']} | "
                         f"{fmt_ratio(vs)} | {fmt_cpu(p.get('server_cpu_us_per_call'))} | "
                         f"{fmt_cpu(p.get('client_cpu_us_per_call'))} |")
    rss_rows = [("fresh server, idle (VmRSS)", "rss_fresh_idle_kib"),
                ("fresh server after 1,000 concurrent streams (VmHWM)", "rss_1000_streams_hwm_kib"),
                ("compatible server after the whole sweep (VmHWM)", "rss_compatible_hwm_kib"),
                ("production server after its points (VmHWM)", "rss_production_hwm_kib"),
                ("fast server after the whole sweep (VmHWM)", "rss_fast_hwm_kib"),
                ("Node peer after the whole sweep (VmHWM)", "rss_node_hwm_kib")]
    lines += ["", "### Memory", "", "| process | MiB |", "|---|---:|"]
    for name, key in rss_rows:
        if facts.get(key):
            lines.append(f"| {name} | {int(facts[key]) / 1024:.1f} |")
    if facts.get("threads_1000_streams"):
        lines.append(f"\nServer threads under 1,000 streams: {facts['threads_1000_streams']}.")
    return lines


def production_table(points, facts):
    """The production scenario: every point with its ratio to the TLS health
    check at the same concurrency, and what the audit log and metrics saw."""
    health = closed_loop(points, PRODUCTION_FLOOR)
    if not health:
        return []
    lines = ["", "## Production configuration (TLS, authenticated callers, audit log file, metrics)", "",
             "agora-token-server with --config: TLS with client certificates required; one caller known by its "
             "certificate's SPIFFE id (mTLS) and one by an API key (`authorization: Bearer`, its client "
             "certificate names no caller); each with a policy (app, token kinds, 24 h lifetime, channel "
             "prefixes) and a rate limit far above what the run sends; the audit log written to a file; "
             "Prometheus metrics served. Certificates (EC P-256), API key and config are made fresh in a "
             "temp dir. The floor is the health check over the same TLS (with the mTLS caller's "
             "certificate; health checks need no caller). Median round per point.", "",
             "| scenario | concurrency | QPS | p50 µs | p99 µs | p99.9 µs | errors | ratio vs TLS health "
             "| p99 vs TLS health | server CPU µs/call | loadgen CPU µs/call |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label in [PRODUCTION_FLOOR] + PRODUCTION:
        for c, p in sorted(closed_loop(points, label).items()):
            h = health.get(c)
            lat = p["latency_us"]
            lines.append(
                f"| {label} | {c} | {p['qps']:,.0f} | {fmt_us(lat['p50'])} | {fmt_us(lat['p99'])} | "
                f"{fmt_us(lat['p999'])} | {p['errors'] + p['bad_responses']} | "
                f"{fmt_ratio(ratio(p['qps'], h['qps']) if h else None)} | "
                f"{fmt_ratio(ratio(lat['p99'], h['latency_us']['p99']) if h else None)} | "
                f"{fmt_cpu(p.get('server_cpu_us_per_call'))} | {fmt_cpu(p.get('client_cpu_us_per_call'))} |")
    # The development-mode server at the same concurrencies, for the cost
    # of TLS, authentication and the audit log.
    dev = closed_loop(points, "rtc_uid 007 compatible")
    prod = closed_loop(points, "prod rtc_uid 007 compatible mTLS")
    common = sorted(set(dev) & set(prod))
    if common:
        lines += ["", "007 compatible, production (mTLS caller) over development mode (plaintext, no "
                  "authentication, no audit log) at the same concurrency: " + ", ".join(
                      f"c={c}: {prod[c]['qps'] / dev[c]['qps']:.2f} of the QPS, server CPU per call "
                      f"{fmt_cpu(prod[c].get('server_cpu_us_per_call'))} vs {fmt_cpu(dev[c].get('server_cpu_us_per_call'))} µs"
                      for c in common) + "."]
    if facts.get("prod_audit_lines"):
        lines += ["", f"Audit log: {int(facts['prod_audit_lines']):,} lines, "
                  f"{int(facts.get('prod_audit_bytes', 0)) / 2**20:.1f} MiB, "
                  f"{facts.get('prod_audit_dropped_lines') or '?'} dropped (agora_token_audit_log_dropped_lines_total); "
                  f"metrics counted {int(facts.get('prod_metrics_rpc_requests') or 0):,} RPCs and "
                  f"{int(facts.get('prod_metrics_tokens_issued') or 0):,} tokens."]
    return lines


def scaling_points(points):
    """{(cpus, what): point} of the scaling runs, `what` e.g. "batch 10x007"."""
    found = {}
    for p in points:
        m = SCALE_LABEL.match(p["label"])
        if m and p["rate"] == 0:
            found[(int(m.group(1)), m.group(2))] = p
    return found


def tokens_per_call(p):
    return p["batch_size"] if p["rpc"] == "batch" else 1


def scaling_table(points):
    scale = scaling_points(points)
    if not scale:
        return []
    lines = ["", "## Scaling: server CPUs and batch sizes (007 compatible)", "",
             "The server pinned to 1 CPU (loadgen on the other) and to 2 CPUs (taskset; on this 2-CPU machine "
             "the loadgen shares them), at "
             f"{next(iter(scale.values()))['concurrency']} calls in flight: single BuildRtcTokenWithUid calls "
             "and BuildTokens batches of 1 to 1000 items. CPU per call and per token are the server process's "
             "user+system time over the point; tokens per server CPU-second (10⁶ / CPU µs per token) is what "
             "one core buys, whoever else uses the machine.", "",
             "| server CPUs | call | calls/s | tokens/s | p99 ms | server CPU µs/call | CPU µs/token "
             "| tokens per CPU-second | QPS vs 1 CPU |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    # Per CPU count: the single call, then the batches by size.
    for (cpus, what), p in sorted(scale.items(), key=lambda kv: (kv[0][0], kv[1]["rpc"] == "batch", kv[1]["batch_size"])):
        n = tokens_per_call(p)
        cpu = p.get("server_cpu_us_per_call")
        one = scale.get((1, what))
        lines.append(
            f"| {cpus} | {what} | {p['qps']:,.0f} | {p['qps'] * n:,.0f} | {p['latency_us']['p99'] / 1000:.2f} | "
            f"{fmt_cpu(cpu)} | {fmt_cpu(cpu / n if cpu else None)} | {fmt_count(1e6 * n / cpu if cpu else None)} | "
            f"{fmt_ratio(ratio(p['qps'], one['qps']) if one and cpus != 1 else None)} |")
    return lines


def plots(points, out_dir):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return ["", "(gnuplot not installed: no plots)"]
    data_dir = os.path.join(out_dir, "plot-data")
    os.makedirs(data_dir, exist_ok=True)
    series = []
    for label in SWEEP:
        by_c = closed_loop(points, label)
        if not by_c:
            continue
        path = os.path.join(data_dir, label.replace(" ", "_") + ".tsv")
        with open(path, "w") as f:
            f.write("# concurrency qps p50_us p99_us p999_us\n")
            for c in sorted(by_c):
                lat = by_c[c]["latency_us"]
                f.write(f"{c}\t{by_c[c]['qps']:.1f}\t{lat['p50']}\t{lat['p99']}\t{lat['p999']}\n")
        series.append((label, path))
    qps_png = os.path.join(out_dir, "qps.png")
    latency_png = os.path.join(out_dir, "latency.png")
    qps_lines = ", ".join(f"'{path}' using 1:2 with linespoints lw 2 title '{label}'" for label, path in series)
    terminal = "pngcairo" if _has_terminal(gnuplot, "pngcairo") else "png"
    script = [
        f"set terminal {terminal} size 1000,650 noenhanced",
        f"set output '{qps_png}'",
        "set title 'QPS vs concurrency (batch: calls/s, 100 tokens each)'",
        "set logscale x 2", "set logscale y 10", "set grid",
        "set xlabel 'concurrent calls'", "set ylabel 'calls per second'", "set key outside right",
        f"plot {qps_lines}",
        "unset output",
        f"set terminal {terminal} size 1600,900 noenhanced",
        f"set output '{latency_png}'",
        "set multiplot layout 2,4 title 'Latency percentiles vs concurrency (µs, log scales)'",
        "set key inside top left", "set xlabel 'concurrency'", "set ylabel 'µs'",
    ]
    for label, path in series:
        script += [f"set title '{label}'",
                   f"plot '{path}' using 1:3 with linespoints title 'p50', '' using 1:4 with linespoints title 'p99', "
                   f"'' using 1:5 with linespoints title 'p99.9'"]
    script += ["unset multiplot", "unset output"]
    written = ["[qps.png](qps.png)", "[latency.png](latency.png)"]
    # Scaling: tokens/s and CPU per token against the batch size, per CPU count.
    scale = scaling_points(points)
    by_cpus = {}
    for (cpus, _), p in scale.items():
        if p["rpc"] == "batch":
            by_cpus.setdefault(cpus, []).append(p)
    if by_cpus:
        scaling_png = os.path.join(out_dir, "scaling.png")
        paths = []
        for cpus, batches in sorted(by_cpus.items()):
            path = os.path.join(data_dir, f"scaling_{cpus}cpu.tsv")
            with open(path, "w") as f:
                f.write("# batch_size tokens_per_s server_cpu_us_per_token\n")
                for p in sorted(batches, key=lambda p: p["batch_size"]):
                    cpu = p.get("server_cpu_us_per_call")
                    f.write(f"{p['batch_size']}\t{p['qps'] * p['batch_size']:.1f}\t"
                            f"{cpu / p['batch_size'] if cpu else 'NaN'}\n")
            paths.append((cpus, path))
        script += [
            f"set terminal {terminal} size 1400,550 noenhanced",
            f"set output '{scaling_png}'",
            "set multiplot layout 1,2 title 'BuildTokens 007 compatible: server on 1 and 2 CPUs (taskset)'",
            "set logscale x 10", "set logscale y 10", "set grid", "set key inside top left",
            "set xlabel 'tokens per call (batch size)'",
            "set title 'tokens per second'", "set ylabel 'tokens/s'",
            "plot " + ", ".join(f"'{path}' using 1:2 with linespoints lw 2 title '{cpus} CPU'" for cpus, path in paths),
            "set title 'server CPU per token'", "set ylabel 'µs'", "set key inside top right",
            "plot " + ", ".join(f"'{path}' using 1:3 with linespoints lw 2 title '{cpus} CPU'" for cpus, path in paths),
            "unset multiplot", "unset output",
        ]
        written.append("[scaling.png](scaling.png)")
    result = subprocess.run([gnuplot], input="\n".join(script), text=True, capture_output=True)
    if result.returncode != 0:
        return ["", f"(gnuplot failed: {result.stderr.strip()[:300]})"]
    return ["", f"Plots: {', '.join(written)}; data in plot-data/."]


def _has_terminal(gnuplot, name):
    result = subprocess.run([gnuplot, "-e", "set terminal"], capture_output=True, text=True)
    return name in (result.stdout + result.stderr)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    points, facts = load(sys.argv[1], sys.argv[2])
    out_dir = sys.argv[3]
    lines = [
        "# Service benchmark (bench/run.sh)",
        "",
        f"Run {facts.get('started', '?')} on {facts.get('host', '?')}; load average before "
        f"{facts.get('load_before', '?')}, after {facts.get('load_after', '?')}; took {facts.get('elapsed_s', '?')} s.",
        f"Build: {facts.get('build', '?')}. Node peer: {facts.get('node', '?')}, one process.",
        f"Setup: {facts.get('setup', '?')}. The server and the load generator share the CPUs unless pinned.",
        "Ratio vs floor: QPS / the bare gRPC floor's QPS (agora-token-floor-server: the same gRPC, service "
        "base and transport options, every call answered with an empty message) at the same concurrency; "
        "ratio vs health: the same over our health check. Ratio vs Node: QPS / the Node "
        "peer's QPS for the same token version at the same concurrency. Errors: non-OK statuses plus "
        "sampled responses that failed the loadgen's check. Server CPU µs/call: the server process's "
        "user+system CPU time over the point divided by its calls (warmup included); CPU ratio vs floor: "
        "the floor's CPU per call over the scenario's, the server's capacity relative to the floor, which "
        "unlike QPS does not depend on the load generator's share of the CPUs. Loadgen CPU µs/call: the "
        "same for the load generator; when it rivals the server's, the QPS columns measure both.",
        "",
        "## Targets of issue 19: the floor and production",
        "",
    ]
    lines += issue19_targets(points)
    lines += ["", "## Targets of issue 5", ""]
    lines += targets(points, facts)
    lines += ["", "## Sweep (closed loop)", ""]
    lines += sweep_table(points)
    lines += extra_tables(points, facts)
    lines += production_table(points, facts)
    lines += scaling_table(points)
    lines += plots(points, out_dir)
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

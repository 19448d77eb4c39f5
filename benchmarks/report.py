"""The figures of ``benchmarks/ratios.py`` beside their targets: summary, printed tables, README section."""

from __future__ import annotations

from pathlib import Path

from benchmarks.endpoints import PUBLIC, SEARCHES

BATCH = "licence check batch of 1,000"
MEANING = [
    "**rps(service) / rps(same SQL)**: the service's throughput over that of a bare psycopg app sending exactly "
    "the statements the service sent for the same request (captured this run), on the same gunicorn settings; "
    "1 would mean Django, DRF, serialisation, receipts and Redis cost nothing beyond the SQL.",
    "**public read p95 at concurrency 1**: one caller at a time, so the latency a citizen sees with no queue.",
    "**public search SQL**: PostgreSQL's own execution time (EXPLAIN ANALYZE) of the SELECTs the slowest "
    "black-list search ran, summed; its ratio to the same figure at 10,000 entities is how the search scales "
    "with the registry (1 = not at all, 10 = linearly).",
    "**licence batch**: one POST of 1,000 checks, p95 over every request of the concurrency-1 rounds; its "
    "statement count is the capture's (without Django's per-request `SELECT 1` health check).",
    "**import**: accept = the POST's answer time; done = from the POST until the job reads `done`; "
    "progress = distinct `progress` values seen polling every 100 ms.",
    "**recompute time ratio K/1**: wall time with K worker processes over the time with one, PostgreSQL and "
    "Redis over TCP (0.5 = perfect scaling with 2).",
    "**cost ratio per endpoint** (scaling curve): p50 at concurrency 1 at the larger scale over the same at the "
    "smaller one (1 = flat, 10 = linear in entities).",
]


def _get(data: dict, *keys, default=None):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def _row(figure: str, value, target: str, met: bool | None, note: str = "") -> dict:
    return {"figure": figure, "value": value, "target": target, "met": met, "note": note}


def finish(summary: dict) -> None:
    """Add ``endpoints`` (the main scale's table), ``curve`` and ``targets`` to the summary."""
    main = str(summary["main_entities"])
    scales = sorted(summary["scales"], key=int)
    main_scale = summary["scales"][main]
    label = f"{int(main):,}"
    table = {}
    for name, entry in main_scale["endpoints"].items():
        c1, c8 = entry["by_concurrency"]["1"], entry["by_concurrency"]["8"]
        table[name] = {
            "statements": entry["statements"], "statements_at_server": _get(entry, "server_check", "server_statements"),
            "capture_matches_server": _get(entry, "server_check", "matches"),
            "c1": {"service_rps": c1["service"]["rps"], "service_p50_ms": c1["service"]["p50_ms"],
                   "service_p95_ms": c1["service"]["p95_ms"], "baseline_rps": c1["baseline"]["rps"],
                   "baseline_p95_ms": c1["baseline"]["p95_ms"], "ratio": c1["ratio_rps_service_to_baseline"]},
            "c8": {"service_rps": c8["service"]["rps"], "service_p50_ms": c8["service"]["p50_ms"],
                   "service_p95_ms": c8["service"]["p95_ms"], "baseline_rps": c8["baseline"]["rps"],
                   "baseline_p95_ms": c8["baseline"]["p95_ms"], "ratio": c8["ratio_rps_service_to_baseline"]},
            "failures": {"c1": c1["failures"], "c8": c8["failures"]},
            "service_body_bytes": entry["service_body_bytes"],
        }
    summary["endpoints"] = table

    curve = {}
    for name in table:
        points = {scale: {"p50_ms_c1": _get(summary["scales"][scale], "endpoints", name, "by_concurrency", "1",
                                            "service", "p50_ms"),
                          "rps_c8": _get(summary["scales"][scale], "endpoints", name, "by_concurrency", "8", "service",
                                         "rps"),
                          "ratio_c8": _get(summary["scales"][scale], "endpoints", name, "by_concurrency", "8",
                                           "ratio_rps_service_to_baseline"),
                          "statements": _get(summary["scales"][scale], "endpoints", name, "statements")}
                  for scale in scales}
        smallest, largest = points[scales[0]]["p50_ms_c1"], points[scales[-1]]["p50_ms_c1"]
        curve[name] = {"points": points, "cost_ratio": round(largest / smallest, 2) if smallest and largest else None}
    summary["curve"] = {"scales": scales, "by_endpoint": curve,
                        "explain_ms": {scale: _get(summary["scales"][scale], "explain", "execution_ms_worst_search")
                                       for scale in scales}}

    rows = []
    for name, figures in table.items():
        ratio = figures["c8"]["ratio"]
        rows.append(_row(f"rps(service)/rps(same SQL), concurrency 8: {name}", ratio, ">= 0.7",
                         None if ratio is None else ratio >= 0.7,
                         f"{figures['c8']['service_rps']} vs {figures['c8']['baseline_rps']} rps; "
                         f"{figures['statements']} statements"))
    for name in PUBLIC:
        p95 = _get(table, name, "c1", "service_p95_ms")
        rows.append(_row(f"p95 at concurrency 1: {name}", p95, "< 50 ms", None if p95 is None else p95 < 50))
    explain = _get(main_scale, "explain", "execution_ms_worst_search")
    rows.append(_row(f"public search SQL (EXPLAIN ANALYZE, slowest of {len(SEARCHES)} searches) at {label}",
                     explain, "<= 3 ms", None if explain is None else explain <= 3,
                     ", ".join(f"{n.removeprefix('public blacklist ')} {_get(main_scale, 'explain', 'by_search', n, 'execution_ms')} ms"
                               for n in SEARCHES)))
    if "10000" in summary["scales"] and main != "10000":
        small = _get(summary["scales"]["10000"], "explain", "execution_ms_worst_search")
        ratio = round(explain / small, 2) if explain and small else None
        rows.append(_row(f"public search SQL at {label} / at 10,000", ratio, "<= 1.5",
                         None if ratio is None else ratio <= 1.5, f"{explain} ms vs {small} ms"))
    batch_p95 = _get(main_scale, "endpoints", BATCH, "by_concurrency", "1", "service", "p95_ms_all_rounds")
    rows.append(_row(f"licence batch of 1,000, p95 (concurrency 1) at {label}", batch_p95, "< 1000 ms",
                     None if batch_p95 is None else batch_p95 < 1000))
    statements = _get(table, BATCH, "statements")
    rows.append(_row("licence batch of 1,000, statements", statements, "<= 10",
                     None if statements is None else statements <= 10))

    imported = summary.get("import")
    if imported:
        mode = imported.get("mode")
        rows.append(_row(f"import of {imported['rows']:,} rows: time to accept ({mode})", imported["accept_seconds"],
                         "< 1 s", imported["accept_seconds"] < 1, f"HTTP {imported['status']}"))
        rows.append(_row(f"import of {imported['rows']:,} rows: time to done ({mode})", imported["done_seconds"],
                         "< 60 s", imported.get("final_state") == "done" and imported["done_seconds"] < 60,
                         f"final state {imported.get('final_state')}"))
        rows.append(_row("import: distinct progress values seen", imported.get("distinct_progress_values", 0),
                         ">= 3 (progress visible throughout)",
                         mode == "job" and imported.get("distinct_progress_values", 0) >= 3,
                         "synchronous: no job to follow" if mode != "job" else
                         f"states {imported.get('states_seen')}"))

    scale_out = summary.get("scale_out") or {}
    recompute = scale_out.get("recompute")
    if recompute:
        for count in ("2", "4"):
            ratio = recompute["time_ratio_to_1"].get(count)
            run = recompute["runs"][count]
            rows.append(_row(f"recompute at {label}, {count} workers / 1 worker (time)", ratio,
                             "<= 0.65" if count == "2" else "(none)", ratio <= 0.65 if count == "2" else None,
                             f"{recompute['seconds_by_workers']['1']} s vs {run['seconds']} s; lock waits in "
                             f"{run['lock_wait_samples']} of {run['samples']} samples; "
                             f"{run['parallel_workers_mean']} parallel query workers on average; PostgreSQL "
                             f"busy {run.get('postgres_cores_busy')} cores (1 worker: "
                             f"{recompute['runs']['1'].get('postgres_cores_busy')}), machine "
                             f"{run.get('machine_cores_busy')} of {summary['machine']}"))
        for key, what in (("recompute_no_parallel_query", "parallel query off"),
                          ("recompute_small_chunks", "a quarter of the chunk size")):
            diagnostic = scale_out.get(key)
            if diagnostic:
                rows.append(_row(f"diagnostic, {what}: 2 workers / 1 worker (time)",
                                 diagnostic["time_ratio_to_1"].get("2"), "(diagnostic)", None,
                                 f"seconds by workers {diagnostic['seconds_by_workers']}"))
    nightly = scale_out.get("nightly")
    if nightly:
        rows.append(_row("nightly proposing pass, 2 workers / 1 worker (time per entity)",
                         nightly["time_ratio_to_1"].get("2"), "(none; 0.65 as the recompute)", None,
                         f"{nightly['runs']['1']['ms_per_entity']} vs {nightly['runs']['2']['ms_per_entity']} ms a "
                         f"visit; full pass of {nightly['entities_with_evidence']:,} entities ~ "
                         f"{nightly['estimated_full_pass_seconds']} s"))
    load = summary.get("load_mix")
    if load:
        rows.append(_row(f"load mix at {int(load['entities'] or 0):,} entities: rps(service)/rps(bare Django view)",
                         load["ratio_rps_service_to_bare"], "(none)", None,
                         f"{load['rps_service']} vs {load['rps_bare_django']} rps, service p95 "
                         f"{load['p95_ms_service']} ms; locust exit {load['exit_code']}"))
    summary["targets"] = rows
    phases = {f"suite {scale}": _get(summary["scales"][scale], "service_code", "code_sha256") for scale in scales}
    for key in ("scale_out",):
        if summary.get(key):
            phases[key] = _get(summary[key], "service_code", "code_sha256")
    summary["service_code_by_phase"] = phases
    summary["service_code_changed_during_run"] = len({value for value in phases.values() if value}) > 1


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _met(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: ""}[met]


def table(summary: dict) -> str:
    main = int(summary["main_entities"])
    lines = [f"Same-SQL baseline at {main:,} entities (gunicorn {summary['gunicorn']['workers']} sync workers each, "
             "medians of the A/B rounds):", "",
             "| endpoint | statements | c=1 p50 / p95 ms | c=8 service rps / p95 ms | c=8 same-SQL rps / p95 ms "
             "| ratio c=8 | ratio c=1 |", "|---|---|---|---|---|---|---|"]
    for name, fig in summary["endpoints"].items():
        lines.append(f"| {name} | {fig['statements']} | {_fmt(fig['c1']['service_p50_ms'])} / "
                     f"{_fmt(fig['c1']['service_p95_ms'])} | {_fmt(fig['c8']['service_rps'])} / "
                     f"{_fmt(fig['c8']['service_p95_ms'])} | {_fmt(fig['c8']['baseline_rps'])} / "
                     f"{_fmt(fig['c8']['baseline_p95_ms'])} | **{_fmt(fig['c8']['ratio'])}** | "
                     f"{_fmt(fig['c1']['ratio'])} |")
    scales = summary["curve"]["scales"]
    lines += ["", "Scaling curve (service p50 at concurrency 1, ms; rps at concurrency 8):", "",
              "| endpoint | " + " | ".join(f"{int(s):,}" for s in scales) + " | cost ratio |",
              "|---|" + "---|" * (len(scales) + 1)]
    for name, entry in summary["curve"]["by_endpoint"].items():
        cells = [f"{_fmt(entry['points'][s]['p50_ms_c1'])} ms, {_fmt(entry['points'][s]['rps_c8'])} rps"
                 for s in scales]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {_fmt(entry['cost_ratio'])} |")
    lines.append("| public search SQL (EXPLAIN) | " + " | ".join(
        f"{_fmt(summary['curve']['explain_ms'][s])} ms" for s in scales) + " | |")
    profile = summary["scales"][str(main)].get("profile")
    if profile:
        lines += ["", "Where the service's time goes (cProfile of test-client requests, self time by package; the "
                  "costliest service functions, cumulative):", "",
                  "| endpoint | self time by package | service functions (cumulative) |", "|---|---|---|"]
        for name, item in profile.items():
            packages = ", ".join(f"{package} {share}%" for package, share in
                                 list(item["self_time_share_by_package"].items())[:4])
            functions = ", ".join(f"`{function}` {share}%" for function, share in
                                  list(item["service_functions_cumulative_share"].items())[:3])
            lines.append(f"| {name} | {packages} | {functions} |")
    lines += ["", "| figure | value | target | | note |", "|---|---|---|---|---|"]
    for row in summary["targets"]:
        lines.append(f"| {row['figure']} | {_fmt(row['value'])} | {row['target']} | {_met(row['met'])} | "
                     f"{row['note']} |")
    return "\n".join(lines)


def write_readme(summary: dict, readme: Path) -> None:
    """Replace the figures between the ratios markers of README.md."""
    text = readme.read_text()
    start, end = "<!-- ratios:start -->", "<!-- ratios:end -->"
    if start not in text or end not in text:
        return
    quick = " (quick run: `BENCH_QUICK=1`, short rounds)" if summary.get("quick") else ""
    body = "\n".join([
        f"Measured {summary['measured_at']} on {summary['machine']}{quick}, load average "
        f"{summary['loadavg_at_start'][0]} at the start and {summary['loadavg_at_end'][0]} at the end (the machine "
        f"was shared with other work); {summary['total_seconds']} s in all.", "",
        *([f"The service's code changed on disk while the benchmark ran (others were editing it): digests by phase "
           f"{summary['service_code_by_phase']}; " + (
               "the scales of the curve ran the same code." if len({value for key, value in
                                                                   summary["service_code_by_phase"].items()
                                                                   if key.startswith("suite")}) == 1
               else "the scaling curve compares partly different code."), ""]
          if summary.get("service_code_changed_during_run") else []),
        table(summary), "", "What the ratios mean:", "", *[f"- {line}" for line in MEANING]])
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    readme.write_text(f"{before}{start}\n{body}\n{end}{after}")

"""The comparison's tables and target checks, from suite.run_rows' results. Not a benchmark.

Figures (medians over the repeats):
  wall      the whole command, launcher start-up included
  job       the program's own time for its work (node_crunch: from the server's start to the
            end of finish_job; the farms and Python scripts: first task to last result, output
            file closed); the wall time for the sequential kernel, which is one plain process
  tasks/s   tasks / job
  ÷ farm    tasks/s as a fraction of the bare MPI farm's: spinning or sleeping master, one task
            per worker at a time, or (x64) 64 in flight per worker
  speed-up  the sequential kernel's wall time / this row's wall (or job) time
  CPU       user + system time of every process of the run (launcher aside), per task for
            empty tasks: what the work costs the machine, the figure least disturbed by a
            busy machine
  RSS       the server process's peak resident memory (rank 0 under mpirun)
"""

TARGETS = {
    "mpi_vs_farm": 0.4,     # empty tasks/s over MPI, as a fraction of the spinning farm's
    "mpi_vs_mpi4py": 40.0,  # ... as a multiple of mpi4py.futures'
    "mandel_speedup": 1.9,  # Mandelbrot over MPI -n 3 against the sequential kernel
    "tcp_tasks_per_s": 60000.0,
}


def number(value, digits=2):
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def get(results, workload, key):
    result = results.get((workload, key))
    return result if result is not None and result.runs else None


def status(result):
    if result.skipped:
        return result.skipped
    if not result.runs:
        return "failed: " + (result.failures[0].splitlines()[0] if result.failures else "no runs")
    return None


FARMS = {"farm_spin": "spin farm", "farm_sleep": "sleep farm", "farm_spin_64": "spin farm x64",
         "farm_sleep_64": "sleep farm x64"}


def table(results, workload):
    rows = [r for (w, _), r in results.items() if w == workload]
    farms = [(label, get(results, workload, key)) for key, label in FARMS.items()
             if get(results, workload, key)]
    spin = get(results, workload, "farm_spin")
    seq = get(results, workload, "sequential")
    head = ["run", "tasks", "wall (s)", "job (s)", "tasks/s"] + [f"÷ {label}" for label, _ in farms]
    if workload == "mandel":
        head += ["speed-up (wall)", "speed-up (job)", "CPU (s)"]
    else:
        head += ["CPU µs/task", "rank 0 CPU µs/task"]
    head += ["server peak RSS (MiB)", "RSS ÷ spin farm"]
    if workload == "mandel":
        head += ["same output"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
    for r in rows:
        note = status(r)
        if note:
            lines.append(f"| {r.row.name} | {r.row.tasks} | " + f"{note} |" + " |" * (len(head) - 3))
            continue
        cells = [r.row.name, str(r.row.tasks), number(r.wall()), number(r.job()),
                 number(r.tasks_per_s(), 1)]
        cells += [number(ratio(r.tasks_per_s(), farm.tasks_per_s())) for _, farm in farms]
        if workload == "mandel":
            cells += [number(ratio(seq and seq.wall(), r.wall())),
                      number(ratio(seq and seq.wall(), r.job())), number(r.cpu_s())]
        else:
            cells += [number(ratio(r.cpu_s() and r.cpu_s() * 1e6, r.row.tasks), 1),
                      number(ratio(r.server_cpu_s() and r.server_cpu_s() * 1e6, r.row.tasks), 1)]
        cells += [number(r.rss_mib(), 1), number(ratio(r.rss_mib(), spin and spin.rss_mib()))]
        if workload == "mandel":
            cells += ["reference" if r.row.key == "sequential" else
                      {True: "yes", False: "NO", None: "–"}[r.identical]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def check(name, measured, goal, at_least=True, note=""):
    if measured is None or goal is None:  # not measured, or only for information
        ok = None
    else:
        ok = measured >= goal if at_least else measured <= goal
    return {"target": name, "measured": measured, "goal": goal, "ok": ok, "note": note}


def targets(results, tolerance):
    e = lambda key: get(results, "empty", key)  # noqa: E731
    m = lambda key: get(results, "mandel", key)  # noqa: E731
    rate = lambda r: r.tasks_per_s() if r else None  # noqa: E731
    out = [
        check("empty tasks/s over MPI ÷ spinning bare farm", ratio(rate(e("nc_mpi")), rate(e("farm_spin"))),
              TARGETS["mpi_vs_farm"]),
        check("empty tasks/s over MPI ÷ spinning bare farm, 64 in flight",
              ratio(rate(e("nc_mpi")), rate(e("farm_spin_64"))), None),
        check("empty tasks/s over MPI ÷ mpi4py.futures", ratio(rate(e("nc_mpi")), rate(e("mpi4py"))),
              TARGETS["mpi_vs_mpi4py"]),
        check("Mandelbrot speed-up over sequential, MPI -n 3 (wall)",
              ratio(m("sequential") and m("sequential").wall(), m("nc_mpi") and m("nc_mpi").wall()),
              TARGETS["mandel_speedup"],
              note="job only: " + number(ratio(m("sequential") and m("sequential").wall(),
                                               m("nc_mpi") and m("nc_mpi").job()))),
        check("TCP empty tasks/s, loopback, 2 nodes", rate(e("nc_tcp")), TARGETS["tcp_tasks_per_s"],
              note=getattr(results.get(("empty", "nc_tcp")), "skipped", None) or ""),
    ]
    for single, threaded, label in (("nc_local", "nc_local_1x2", "one process"),
                                    ("nc_mpi", "nc_mpi_1x2", "MPI")):
        a, b = m(single), m(threaded)
        # A tiny job can take less than the clock's resolution: then it is not measured.
        job_ratio = ratio(b.job(), a.job()) if a and b else None
        deviation = abs(job_ratio - 1) if job_ratio is not None else None
        out.append(check(f"Mandelbrot, 1 node x 2 threads vs 2 nodes x 1 thread ({label}): "
                         "|job time ratio - 1|", deviation, tolerance, at_least=False,
                         note=f"ratio {number(job_ratio, 3)}" if job_ratio is not None else ""))
    return out


def targets_table(checks):
    lines = ["| target | measured | goal | met |", "|---|---:|---:|---|"]
    for c in checks:
        note = f" ({c['note']})" if c["note"] else ""
        if c["goal"] is None:
            goal, met = "–", "for information"
        else:
            goal = ("≤ " if "|" in c["target"] else "≥ ") + number(c["goal"])
            met = {True: "yes", False: "**no**", None: "not measured"}[c["ok"]]
        lines.append(f"| {c['target']} | {number(c['measured'])}{note} | {goal} | {met} |")
    return "\n".join(lines)

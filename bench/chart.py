"""A bar chart of the comparison (compare.py --png): empty-task throughput (log scale) and
Mandelbrot speed-up over the sequential kernel, one bar per run. Not a benchmark."""
import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402


def draw(results, path, title):
    empty = [r for (w, _), r in results.items() if w == "empty" and r.runs]
    mandel = [r for (w, _), r in results.items() if w == "mandel" and r.runs]
    seq = next((r for r in mandel if r.row.key == "sequential"), None)
    figure, (left, right) = plt.subplots(1, 2, figsize=(14, 6))

    rates = [r.tasks_per_s() or 0.0 for r in empty]  # none for a job under the clock's resolution
    bars = left.bar(range(len(empty)), rates, color="tab:blue")
    left.set_yscale("log")
    left.set_ylabel("empty tasks per second (log)")
    left.set_title("Scheduling overhead: empty tasks")
    left.set_xticks(range(len(empty)), [r.row.name for r in empty], rotation=35, ha="right",
                    fontsize=8)
    left.bar_label(bars, labels=[f"{v:,.0f}" for v in rates], fontsize=7)

    if seq:
        # A tiny job can take less than the clock's resolution: no bar rather than a division by 0.
        walls = [seq.wall() / r.wall() if r.wall() > 0 else 0.0 for r in mandel]
        jobs = [seq.wall() / r.job() if r.job() > 0 else 0.0 for r in mandel]
        xs = range(len(mandel))
        right.bar([x - 0.2 for x in xs], walls, width=0.4, label="wall (launcher included)")
        right.bar([x + 0.2 for x in xs], jobs, width=0.4, label="job only")
        right.axhline(2.0, color="grey", linestyle="--", linewidth=1, label="2 cores")
        right.set_ylabel("speed-up over the sequential kernel")
        right.set_title("Mandelbrot")
        right.set_xticks(list(xs), [r.row.name for r in mandel], rotation=35, ha="right", fontsize=8)
        right.legend(fontsize=8)

    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)

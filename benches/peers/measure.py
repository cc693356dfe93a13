"""Run one command and measure it: wall time, CPU time, peak memory.

The command runs as a child process pinned to the first N allowed CPUs (so a
"1 thread" run cannot borrow a second core through a helper thread or a BLAS
pool). The child is reaped with os.wait4, which returns the kernel's resource
usage for it and its reaped descendants (the per-child form of
getrusage(RUSAGE_CHILDREN)): user/system CPU seconds, and ru_maxrss.

ru_maxrss is not used for the peak: the kernel carries the high-water mark of
the memory a process had before exec into it, and a child forked from this
harness starts as a copy of the harness, so every tool's ru_maxrss was at
least the harness's own resident size (59 MiB on 2026-12-08, above
frametag-score's 33 MiB and Vowpal Wabbit's). Instead a sampler thread reads,
ten times a second, each live process's own high-water mark (VmHWM in
/proc/PID/status, reset at exec and never lowered, so its last reading is
the process's peak up to the last tenth of a second) and the sum of the
resident memory of the whole process tree (for tools that work in several
processes: scikit-learn with joblib's process pool). The reported peak is
the larger of the two figures (ru_maxrss only for a process gone before
the first sample); ru_maxrss is kept in the results for reference.

To show whether something else competed for the CPUs, the busy time of the
whole machine (/proc/stat) is read before and after; what exceeds the
child's own CPU time was used by other processes (including this harness's
sampler, a few milliseconds).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from collections.abc import Sequence

_PAGE = os.sysconf("SC_PAGE_SIZE")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.1


@dataclass
class Measurement:
    command: list[str]
    cpus: list[int]
    returncode: int
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_mb: float  # ru_maxrss of the child tree (floored by the harness's size: not used)
    hwm_peak_mb: float  # largest sampled VmHWM of a single process of the tree
    tree_rss_peak_mb: float  # sampled sum over the live process tree
    other_cpu_s: float  # CPU seconds the rest of the machine used meanwhile (interference)

    @property
    def peak_rss_mb(self) -> float:
        sampled = max(self.hwm_peak_mb, self.tree_rss_peak_mb)
        # A process gone before the first sample leaves only ru_maxrss.
        return sampled if sampled > 0 else self.maxrss_mb

    @property
    def cpu_percent(self) -> float:
        return 100.0 * (self.user_s + self.sys_s) / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["peak_rss_mb"] = round(self.peak_rss_mb, 1)
        d["cpu_percent"] = round(self.cpu_percent, 1)
        return d


def allowed_cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat:
    everything but idle and iowait)."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    # guest time is already counted in user time.
    return (sum(fields[:8]) - idle) / _CLOCK_TICKS


def wait_for_quiet(max_wait_s: float, busy_limit: float = 0.15, window_s: float = 2.0) -> tuple[float, float]:
    """Wait until the machine is nearly idle: the busy CPUs averaged over a
    `window_s` window drop below `busy_limit`, or `max_wait_s` has passed.
    Returns (seconds waited, busy CPUs in the last window)."""
    start = time.monotonic()
    while True:
        before = busy_cpu_seconds()
        time.sleep(window_s)
        busy = (busy_cpu_seconds() - before) / window_s
        waited = time.monotonic() - start
        if busy < busy_limit or waited >= max_wait_s:
            return waited, busy


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces.
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _hwm_bytes(pid: int) -> int:
    """The high-water mark of `pid`'s resident memory since its exec."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree_rss(root: int) -> tuple[int, int]:
    """Resident bytes of `root` and all its descendants right now, and the
    largest high-water mark among them."""
    children = _children_map()
    total, hwm, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_bytes(pid)
        hwm = max(hwm, _hwm_bytes(pid))
        stack.extend(children.get(pid, ()))
    return total, hwm


def run(
    command: Sequence[str | os.PathLike],
    *,
    threads: int,
    log_prefix: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Measurement:
    """Run `command` on `threads` CPUs; its stdout and stderr go to
    `log_prefix`.stdout / .stderr."""
    cpus = allowed_cpus()[:threads]
    command = [str(c) for c in command]
    child_env = dict(os.environ if env is None else env)
    # Tools get their threads through their own options (--threads, n_jobs,
    # thread=). BLAS pools stay at one thread: the peers' heavy work is sparse
    # and single-threaded in scipy anyway, and a second BLAS thread spinning
    # on lbfgs's tiny dense vector operations made scikit-learn's fit ten
    # times slower on a 2-core machine.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        child_env[var] = "1"
    child_env["RAYON_NUM_THREADS"] = str(threads)

    log_prefix.parent.mkdir(parents=True, exist_ok=True)
    busy_before = busy_cpu_seconds()
    with open(f"{log_prefix}.stdout", "wb") as out, open(f"{log_prefix}.stderr", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            env=child_env,
            cwd=cwd,
            # Pin before exec; safe here, the sampler thread starts afterwards.
            preexec_fn=lambda: os.sched_setaffinity(0, cpus),
        )
        peak = hwm_peak = 0
        done = threading.Event()

        def sample() -> None:
            # Popen returns once the child has exec'd, so no reading sees
            # the harness's copy.
            nonlocal peak, hwm_peak
            while not done.is_set():
                total, hwm = tree_rss(proc.pid)
                peak, hwm_peak = max(peak, total), max(hwm_peak, hwm)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        busy = busy_cpu_seconds() - busy_before
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped

    return Measurement(
        command=command,
        cpus=cpus,
        returncode=proc.returncode,
        wall_s=round(wall, 3),
        user_s=round(usage.ru_utime, 3),
        sys_s=round(usage.ru_stime, 3),
        maxrss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        hwm_peak_mb=round(hwm_peak / 2**20, 1),
        tree_rss_peak_mb=round(peak / 2**20, 1),
        other_cpu_s=round(max(0.0, busy - usage.ru_utime - usage.ru_stime), 2),
    )

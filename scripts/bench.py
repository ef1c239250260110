"""The performance benchmark (`make bench`): starts the assistant as `make run` does, loads it from
loopback, and writes results/bench/report.md and results/bench/latency.png.

    .venv/bin/python scripts/bench.py [--turns 10] [--levels 1 5 20 100] [--rates 5 10 20] [--seconds 20]
                                      [--no-training]

Measured, in one run:
- full turns over the REST channel, closed loop (each conversation sends its next message as soon as the
  reply arrives) at several concurrency levels, and open loop at fixed arrival rates: p50/p95/p99,
  throughput, errors, and how many replies were « service momentanément indisponible » (a turn that
  outlasts REPLY_TIMEOUT_SECONDS under overload gets it);
- the NLU-only floor (Rasa's /model/parse, with the HTTP API turned on by a throwaway token) at 1 and
  20 clients, and the ratio full turn / NLU only;
- the memory (RSS) of each process after the load, the time the stack took to be ready, and the time a full
  training takes without Rasa's cache (`rasa train --force` into a throwaway directory, before the load).
- the CPU time each server spent per message at each load, and the ratio of a full turn's (all servers)
  to a message's understood alone: on a shared machine, steadier than the throughputs.
The rate limits are lifted for the run (RATE_LIMIT_* = 0). It is a benchmark, not a test: it prints
figures and never fails on them; CI does not run it.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp

# Messages answered at least at each level (closed loop) and by the NLU alone at 20 clients: runs of 200
# messages (1.7 s) gave ratios from 0.36 to 0.45 for the same code; runs of 600 are steadier.
MIN_MESSAGES = 600
REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "results" / "bench"
HOST = "127.0.0.1"
READY_MARKER = "L'assistant est prêt"
# What a conversation says, turn after turn: questions people ask, from several topics.
CONVERSATION = [
    "bonjour",
    "combien de temps dure le bts ?",
    "il faut quel bac ?",
    "on apprend quoi ?",
    "et les débouchés ?",
    "c'est quoi le contrôle de moralité ?",
    "les modules facultatifs c'est quoi ?",
    "il y a un entretien ?",
    "c'est quel niveau de diplôme ?",
    "merci, au revoir",
]
REQUEST_TIMEOUT = 120

sys.path.insert(0, str(REPO))
from actions.wording import phrase  # noqa: E402

UNAVAILABLE = phrase("service_unavailable")
RASA, ACTIONS = "serveur Rasa", "serveur d'actions"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One load level: the latency of each answered message, the errors and the wall time."""

    name: str
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    # Replies « Le service est momentanément indisponible… »: the turn outlasted REPLY_TIMEOUT_SECONDS.
    unavailable: int = 0
    seconds: float = 0.0
    # CPU time of each server per answered message (ms): steadier than throughput on a shared machine.
    cpu_ms: Dict[str, float] = field(default_factory=dict)

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def cpu(self, server: str) -> str:
        return f"{self.cpu_ms[server]:.1f}" if server in self.cpu_ms else "—"

    def row(self) -> str:
        return (f"| {self.name} | {len(self.latencies)} | {self.errors} | {self.unavailable} | {self.throughput:.1f} | "
                f"{self.percentile(0.5) * 1000:.0f} | {self.percentile(0.95) * 1000:.0f} | "
                f"{self.percentile(0.99) * 1000:.0f} | {self.cpu(RASA)} | {self.cpu(ACTIONS)} |")


async def post(session: aiohttp.ClientSession, url: str, body: dict, run: Run) -> None:
    began = time.monotonic()
    try:
        async with session.post(url, json=body, timeout=REQUEST_TIMEOUT) as response:
            answer = await response.json()
            ok = response.status == 200 and bool(answer)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        ok = False
    if not ok:
        run.errors += 1
        return
    run.latencies.append(time.monotonic() - began)
    if isinstance(answer, list) and any(message.get("text") == UNAVAILABLE for message in answer):
        run.unavailable += 1


def rounds_for(conversations: int, turns: int) -> int:
    """Conversations each client holds one after the other, so that a level answers at least MIN_MESSAGES."""
    return max(1, -(-MIN_MESSAGES // (conversations * turns)))


async def closed_loop(rasa_url: str, conversations: int, turns: int, rounds: int = 1) -> Run:
    """`conversations` clients, each holding `rounds` conversations of `turns` messages one after the other."""
    run = Run(f"tour complet, {conversations} conversation(s) simultanée(s)")
    url = f"{rasa_url}/webhooks/rest/webhook"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def converse() -> None:
            for _ in range(rounds):
                sender = f"bench-{uuid.uuid4().hex}"
                for turn in range(turns):
                    body = {"sender": sender, "message": CONVERSATION[turn % len(CONVERSATION)]}
                    await post(session, url, body, run)

        began = time.monotonic()
        await asyncio.gather(*(converse() for _ in range(conversations)))
        run.seconds = time.monotonic() - began
    return run


async def open_loop(rasa_url: str, rate: float, seconds: float) -> Run:
    """Messages arrive at `rate` per second whatever the replies (each from a new conversation turn)."""
    run = Run(f"tour complet, {rate:g} messages/s imposés")
    url = f"{rasa_url}/webhooks/rest/webhook"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        began = time.monotonic()
        tasks = []
        for index in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, began + index / rate - time.monotonic()))
            body = {"sender": f"bench-{uuid.uuid4().hex}", "message": CONVERSATION[index % len(CONVERSATION)]}
            tasks.append(asyncio.ensure_future(post(session, url, body, run)))
        await asyncio.gather(*tasks)
        run.seconds = time.monotonic() - began
    return run


async def nlu_only(rasa_url: str, token: str, clients: int, messages: int) -> Run:
    run = Run(f"NLU seule (/model/parse), {clients} client(s)")
    url = f"{rasa_url}/model/parse?token={token}"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def client(offset: int) -> None:
            for index in range(messages):
                await post(session, url, {"text": CONVERSATION[(offset + index) % len(CONVERSATION)]}, run)

        began = time.monotonic()
        await asyncio.gather(*(client(offset) for offset in range(clients)))
        run.seconds = time.monotonic() - began
    return run


def free_ports(count: int) -> List[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind((HOST, 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def start_stack(workdir: Path, token: str) -> tuple:
    """run.py with free ports, its own tracker store, limits lifted and the API on; (process, env, seconds)."""
    ports = dict(zip(("RASA_PORT", "ACTION_PORT", "WEB_PORT"), free_ports(3)))
    env = {**os.environ, "HOST": HOST, **{name: str(port) for name, port in ports.items()},
           "TRACKER_DB": str(workdir / "tracker.db"), "LOGS_DIR": str(workdir / "logs"),
           "RATE_LIMIT_PER_CONVERSATION": "0", "RATE_LIMIT_PER_CLIENT": "0", "RASA_API_TOKEN": token}
    for name in ("ACTION_SERVER_URL", "TRACKER_STORE_URL"):  # derived by run.py from the above
        env.pop(name, None)
    began = time.monotonic()
    process = subprocess.Popen([sys.executable, str(REPO / "scripts" / "run.py")], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        print(f"  [run] {line.rstrip()}")
        if READY_MARKER in line:
            return process, env, time.monotonic() - began
    raise SystemExit("l'assistant n'a pas démarré : voir la sortie ci-dessus")


def servers(root: int) -> Dict[str, tuple]:
    """Each server run.py started, by its name: its /proc stat fields and status."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            status = (stat.parent / "status").read_text()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        table[int(stat.parent.name)] = (fields, status, command)
    found = {}
    for pid, (fields, status, command) in table.items():
        if int(fields[1]) != root:
            continue
        name = ACTIONS if " actions" in command else RASA if " run " in command else "serveur web"
        found[name] = (fields, status)
    return found


def rss_by_process(root: int) -> Dict[str, float]:
    """Resident memory (MB) of each server."""
    return {name: next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0) / 1024
            for name, (_, status) in servers(root).items()}


def cpu_seconds(root: int) -> Dict[str, float]:
    """CPU time (user + system) each server has used so far."""
    return {name: (int(fields[11]) + int(fields[12])) / CLOCK_TICKS for name, (fields, _) in servers(root).items()}


def chart(runs: List[Run], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    closed = [run for run in runs if "simultanée" in run.name]
    levels = [int(run.name.split(", ")[1].split()[0]) for run in closed]
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(10, 4))
    for share, label in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
        latency.plot(levels, [run.percentile(share) * 1000 for run in closed], marker="o", label=label)
    latency.set(xscale="log", yscale="log", xlabel="conversations simultanées", ylabel="latence (ms)",
                title="Latence d'un tour complet")
    latency.legend()
    throughput.plot(levels, [run.throughput for run in closed], marker="o", label="tour complet")
    nlu = max((run for run in runs if run.name.startswith("NLU")), key=lambda run: run.throughput)
    throughput.axhline(nlu.throughput, linestyle="--", color="grey", label="NLU seule")
    throughput.set(xscale="log", xlabel="conversations simultanées", ylabel="messages/s", title="Débit")
    throughput.set_ylim(bottom=0)
    throughput.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def ratios(runs: List[Run], floor: Run) -> List[str]:
    """What a full turn costs against understanding alone: latency at 1 conversation, throughput under load
    (the issue's « ratio full turn / NLU only », against NLU alone at the same number of clients)."""
    closed = {int(run.name.split(", ")[1].split()[0]): run for run in runs if "simultanée" in run.name}
    nlu = {int(run.name.rsplit(", ", 1)[1].split()[0]): run for run in runs if run.name.startswith("NLU")}
    lines = []
    if 1 in closed:
        lines.append(f"- Tour complet à 1 conversation / NLU seule à 1 client (p50) : "
                     f"{closed[1].percentile(0.5) / floor.percentile(0.5):.1f}×.")
    for level, run in sorted(closed.items()):
        if level in nlu and level > 1 and nlu[level].throughput:
            lines.append(f"- Débit d'un tour complet à {level} conversations / débit de la NLU seule à {level} "
                         f"clients : {run.throughput / nlu[level].throughput:.2f}.")
    # The same ratio in CPU time, which a busy neighbour on a shared machine disturbs less.
    parse_cpu = nlu.get(20, floor).cpu_ms.get(RASA)
    for level, run in sorted(closed.items()):
        turn_cpu = sum(run.cpu_ms.values())
        if parse_cpu and turn_cpu and level > 1:
            lines.append(f"- CPU d'un tour complet à {level} conversations (tous serveurs : {turn_cpu:.1f} ms) / CPU "
                         f"d'un message de NLU seule (serveur Rasa : {parse_cpu:.1f} ms) : {parse_cpu / turn_cpu:.2f}.")
    return lines


def training_seconds(workdir: Path) -> float:
    """How long a full training takes without Rasa's cache, the model written to `workdir` and thrown away."""
    rasa = Path(sys.executable).with_name("rasa")
    began = time.monotonic()
    subprocess.run([str(rasa), "train", "--skip-validation", "--domain", "domain", "--force", "--out", str(workdir)],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - began


def report(runs: List[Run], floor: Run, memory: Dict[str, float], ready: float, args,
           training: Optional[float] = None) -> str:
    lines = [
        "# Performance (`make bench`)",
        "",
        f"Mesuré le {time.strftime('%Y-%m-%d %H:%M')} sur {os.cpu_count()} cœurs, client sur la même machine "
        f"(boucle locale), {args.turns} tours par conversation, au moins {MIN_MESSAGES} messages par charge en "
        f"boucle fermée, limites de débit levées.",
        "",
        "| charge | réponses | erreurs | « indisponible » | messages/s | p50 (ms) | p95 (ms) | p99 (ms) "
        "| CPU Rasa (ms/message) | CPU actions (ms/message) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *[run.row() for run in [*runs]],
        "",
        *ratios(runs, floor),
        f"- Prêt en {ready:.1f} s après le lancement.",
        *([f"- Entraînement complet sans le cache de Rasa : {training:.0f} s."] if training is not None else []),
        "- Mémoire après la charge : "
        + ", ".join(f"{name} {mb:.0f} Mo" for name, mb in sorted(memory.items())) + ".",
        "",
        "![latence et débit](latency.png)",
        "",
    ]
    return "\n".join(lines)


async def with_cpu(root: int, load) -> Run:
    """Runs one load and charges each server's CPU time to the messages answered."""
    before = cpu_seconds(root)
    run = await load
    after = cpu_seconds(root)
    if run.latencies:
        run.cpu_ms = {name: 1000 * (after[name] - before.get(name, 0.0)) / len(run.latencies) for name in after}
    return run


async def measure(rasa_url: str, token: str, root: int, args) -> tuple:
    await closed_loop(rasa_url, 2, 2)  # warm-up: the first turns load lazily built parts
    floor = await with_cpu(root, nlu_only(rasa_url, token, 1, MIN_MESSAGES // 5))
    nlu_parallel = await with_cpu(root, nlu_only(rasa_url, token, 20, MIN_MESSAGES // 20))
    runs = [floor, nlu_parallel]
    for level in args.levels:
        runs.append(await with_cpu(root, closed_loop(rasa_url, level, args.turns, rounds_for(level, args.turns))))
        print(f"  {runs[-1].row()}")
    for rate in args.rates:
        runs.append(await with_cpu(root, open_loop(rasa_url, rate, args.seconds)))
        print(f"  {runs[-1].row()}")
    return runs, floor


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10, help="messages per conversation (closed loop)")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 5, 20, 100], help="concurrent conversations")
    parser.add_argument("--rates", type=float, nargs="+", default=[5, 10, 20], help="messages per second (open loop)")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each open-loop run")
    parser.add_argument("--no-training", dest="training", action="store_false", help="skip the timed training")
    args = parser.parse_args(argv)
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        training = training_seconds(Path(workdir) / "models") if args.training else None
        process, env, ready = start_stack(Path(workdir), token)
        try:
            runs, floor = asyncio.run(measure(f"http://{HOST}:{env['RASA_PORT']}", token, process.pid, args))
            memory = rss_by_process(process.pid)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    RESULTS.mkdir(parents=True, exist_ok=True)
    chart(runs, RESULTS / "latency.png")
    text = report(runs, floor, memory, ready, args, training)
    (RESULTS / "report.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What students ask: `make report` writes results/report/report.md and results/report/report.png from the
tracker store (the SQLite file of `make run`, or any SQL store given by its URL).

    .venv/bin/python scripts/report.py [--db var/tracker.db | postgresql://…] [--days 30] [--out results/report]

Only the conversations of the last RETENTION_DAYS days are read (older ones are purged anyway), without
those of the staff console; no sender id is written, and messages appear only grouped, masked and truncated (staff/report.py).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import sqlalchemy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import purge  # noqa: E402  (scripts/ is not a package)
from staff.console import STAFF_SENDER_PREFIX  # noqa: E402
from staff.report import Report, report, turns_from_events  # noqa: E402

DEFAULT_OUT = Path("results") / "report"
TOP_TOPICS = 12


def read_rows(db: str, days: float, now: float | None = None) -> list:
    """(sender id, type, timestamp, JSON) of the user and bot events of the last `days` days, each
    conversation in its order; none when the store does not exist yet."""
    sqlite_file = purge.sqlite_path(db)
    if sqlite_file is not None and not sqlite_file.is_file():
        return []
    engine = sqlalchemy.create_engine(purge.database_url(db))
    try:
        if not sqlalchemy.inspect(engine).has_table("events"):
            return []
        cutoff = (time.time() if now is None else now) - days * purge.SECONDS_PER_DAY
        # Staff testing in the console (senders « staff-… ») is not what students ask.
        query = sqlalchemy.text("SELECT sender_id, type_name, timestamp, data FROM events "
                                "WHERE type_name IN ('user', 'bot') AND timestamp >= :cutoff "
                                "AND sender_id NOT LIKE :staff ORDER BY sender_id, id")
        with engine.connect() as connection:
            rows = connection.execute(query, {"cutoff": cutoff, "staff": STAFF_SENDER_PREFIX + "%"})
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def percent(share: float) -> str:
    return f"{share * 100:.0f} %".replace(".", ",")


def markdown(result: Report, days: float) -> str:
    lines = [
        "# Ce que demandent les élèves",
        "",
        f"Conversations des {days:g} derniers jours : **{result.conversations}** conversation(s), "
        f"**{result.messages}** message(s) dont {result.questions} écrit(s) (les autres sont des boutons).",
        "",
        f"- Réponses honnêtes « je ne peux pas répondre » : {percent(result.honest_rate)} des messages écrits",
        f"- Questions de précision (« Vous parlez de … ? », « De quelle formation … ? ») : "
        f"{percent(result.clarification_rate)}",
        f"- Réponses qui citent un complément hors fiche : {percent(result.complement_share)}",
        "",
        "## Par jour",
        "",
        "| Jour | Conversations | Messages |",
        "| --- | ---: | ---: |",
        *[f"| {day.isoformat()} | {conversations} | {messages} |"
          for day, (conversations, messages) in result.days.items()],
        "",
        "## Sujets demandés",
        "",
        "| Sujet (ou intention) | Messages |",
        "| --- | ---: |",
        *[f"| {label} | {count} |" for label, count in result.topics],
        "",
        "## Messages sans réponse ou mal compris, regroupés",
        "",
        "Exemple de chaque groupe, tronqué ; adresses, e-mails et nombres masqués.",
        "",
        "| Fois | Exemple |",
        "| ---: | --- |",
        *[f"| {group.count} | {group.example.replace('|', '/')} |" for group in result.unsure_groups],
        "",
        "![Messages par jour et sujets](report.png)",
        "",
    ]
    return "\n".join(lines)


def chart(result: Report, path: Path) -> None:
    """Messages and conversations per day, and the topics most asked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (per_day, per_topic) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels = [day.strftime("%d/%m") for day in result.days]
    positions = range(len(labels))
    per_day.bar([p - 0.2 for p in positions], [m for _, m in result.days.values()], width=0.4, label="messages")
    per_day.bar([p + 0.2 for p in positions], [c for c, _ in result.days.values()], width=0.4, label="conversations")
    per_day.set_xticks(list(positions))
    per_day.set_xticklabels(labels, rotation=45)
    per_day.set_title("Par jour")
    per_day.legend()
    topics = list(reversed(result.topics[:TOP_TOPICS]))
    per_topic.barh([label for label, _ in topics], [count for _, count in topics], color="#1d4e89")
    per_topic.set_title("Sujets demandés (messages)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=purge.tracker_store(),
                        help="SQLAlchemy URL (TRACKER_STORE_URL) or SQLite file (TRACKER_DB) of the tracker store")
    parser.add_argument("--days", type=float, default=purge.retention_days(os.environ.get("RETENTION_DAYS")),
                        help="how many days of conversations to read (RETENTION_DAYS)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of report.md and report.png")
    args = parser.parse_args(argv)
    result = report(turns_from_events(read_rows(args.db, args.days)))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(markdown(result, args.days), encoding="utf-8")
    chart(result, args.out / "report.png")
    print(f"Rapport : {args.out / 'report.md'} et {args.out / 'report.png'} "
          f"({result.conversations} conversation(s), {result.messages} message(s)).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

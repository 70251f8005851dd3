"""The command line: ``python main.py <command>``; with no command, the desktop app opens.

Scriptable and stable (automation, tests, ERP jobs). Exit codes: 0 success, 2 bad input or a
refusal (messages on stderr as ``place: what is wrong``), 1 an unexpected internal error.
Commands that print data take ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from app import __version__
from app.engine.inputs import PlanInputError
from app.models.store import ROOT_NAME, Store, WorkspaceError, dumps_json
from app.models.validate import DataProblems


class UsageError(Exception):
    """A command line that cannot be carried out as written."""


def default_workspace() -> Path:
    """The workspace opened when none is named: ``<user data dir>/Echelon/workspace.echelon``."""
    from platformdirs import user_data_dir

    override = os.environ.get("ECHELON_HOME")
    base = Path(override) if override else Path(user_data_dir("Echelon", appauthor=False))
    return base / "workspace.echelon"


# --- commands ---------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from app.models.demo import generate_demo

    started = time.perf_counter()
    frames = generate_demo(skus=args.skus, seed=args.seed)
    db = Path(args.db)
    with Store.open_or_create(db) as store:
        store.import_baseline(frames)
    if args.csv:
        from app.models.csv_io import write_folder

        write_folder(frames, Path(args.csv))
    _say(f"Demo workspace {db}: {len(frames['skus']):,} SKUs, {len(frames['items']):,} items, "
         f"{len(frames['demand_history']):,} history rows "
         f"({time.perf_counter() - started:.1f} s)")
    return 0


def import_into(source: Path, db: Path) -> dict[str, int]:
    """Read, check and write an import source into a new (or empty) workspace."""
    from app.models.csv_io import read_source
    from app.models.validate import validate_raw

    frames = validate_raw(*read_source(source))
    if db.exists() and db.stat().st_size > 0:
        with Store.open(db) as store:
            if store.has_baseline():
                raise WorkspaceError(
                    f"{db}: already holds a Baseline; import into a new workspace file")
            store.import_baseline(frames)
    else:
        with Store.create(db) as store:
            try:
                store.import_baseline(frames)
            except BaseException:
                store.close()
                db.unlink(missing_ok=True)
                raise
    return {name: len(frame) for name, frame in frames.items()}


def cmd_import(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    counts = import_into(Path(args.source), Path(args.db))
    shown = ", ".join(f"{n:,} {name}" for name, n in counts.items() if n)
    _say(f"Imported into {args.db} (Baseline): {shown} ({time.perf_counter() - started:.1f} s)")
    return 0


def plan_scenario(store: Store, name: str):  # noqa: ANN201 - PlanResult, imported lazily
    """The plan of one scenario of an open store."""
    from app.engine.inputs import PlanInput
    from app.engine.plan import plan

    return plan(PlanInput.from_tables(store.read(name)))


def cmd_export(args: argparse.Namespace) -> int:
    from app.models.csv_io import write_folder
    from app.models.plan_export import write_plan

    with Store.open(args.db) as store:
        frames = store.read(args.scenario)
        result = plan_scenario(store, args.scenario)
    written = write_folder(frames, Path(args.out))
    written += write_plan(result, Path(args.out))
    _say(f"Exported '{args.scenario}' to {args.out}: {len(written)} files "
         f"({len(result.planned_orders):,} planned orders)")
    return 0


def _fmt(value: float) -> str:
    if value != value:  # NaN
        return "-"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.3f}"


def cmd_plan(args: argparse.Namespace) -> int:
    with Store.open(args.db) as store:
        name = args.scenario or store.root_name()
        result = plan_scenario(store, name)
    counts = result.exceptions["kind"].value_counts().to_dict() if len(result.exceptions) else {}
    if args.json:
        print(json.dumps({"scenario": name, "kpis": _jsonable(result.kpis),
                          "exceptions": {k: int(v) for k, v in counts.items()},
                          "seconds": result.seconds}, indent=2))
        return 0
    print(f"Plan of '{name}': {result.n:,} SKUs x {result.horizon} periods "
          f"from {result.periods[0].date()} in {result.seconds * 1000:.0f} ms")
    width = max(len(k) for k in result.kpis)
    for key, value in result.kpis.items():
        print(f"  {key:<{width}}  {_fmt(value):>14}")
    if counts:
        print("Exceptions: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    if len(names) < 2:
        raise UsageError("compare: name at least two scenarios, e.g. --scenarios Baseline,A")
    with Store.open(args.db) as store:
        results = [plan_scenario(store, name) for name in names]
    first = results[0].kpis
    if args.json:
        print(json.dumps({
            "scenarios": names,
            "kpis": {k: {n: _jsonable(r.kpis).get(k) for n, r in zip(names, results,
                                                                         strict=True)}
                     for k in first},
            "deltas": {k: {n: _jsonable({k: r.kpis.get(k, float("nan")) - first[k]})[k]
                           for n, r in zip(names[1:], results[1:], strict=True)}
                       for k in first},
        }, indent=2))
        return 0
    width = max(len(k) for k in first)
    cell = max(14, *(len(n) + 2 for n in names))
    header = f"{'kpi':<{width}}  " + "  ".join(f"{n:>{cell}}" for n in names)
    header += "  " + "  ".join(f"{'Δ ' + n:>{cell}}" for n in names[1:])
    print(header)
    for key, base in first.items():
        values = [r.kpis.get(key, float("nan")) for r in results]
        deltas = [v - base for v in values[1:]]
        print(f"{key:<{width}}  " + "  ".join(f"{_fmt(v):>{cell}}" for v in values) + "  "
              + "  ".join(f"{_fmt(d):>{cell}}" for d in deltas))
    return 0


def cmd_optimize(args: argparse.Namespace) -> int:
    from app.engine.inputs import PlanInput
    from app.engine.optimization import optimize
    from app.engine.plan import plan

    if args.runs < 1 or args.top < 0:
        raise UsageError("optimize: --runs must be at least 1 and --top at least 0")
    with Store.open(args.db) as store:
        name = args.scenario or store.root_name()
        inp = PlanInput.from_tables(store.read(name))
    inp.meio = True
    report = optimize(plan(inp), runs=args.runs, seed=args.seed)
    result, curve = report.result, report.tradeoff
    skus = report.sku_table()
    if args.json:
        print(json.dumps({
            "scenario": name,
            "meio": _jsonable(report.meio),
            "investment": _jsonable(report.position),
            "tradeoff": [_jsonable(row) for row in curve.curve.to_dict("records")],
            "simulation": {c.policy: {"network_target": c.network_target,
                                      "network_achieved": c.network_achieved,
                                      "skus": len(c.skus)} for c in report.simulations},
            "skus": [_jsonable(row) for row in skus.to_dict("records")],
            "seconds": report.seconds,
        }, indent=2))
        return 0
    meio = report.meio
    currency = result.settings.currency
    print(f"Safety-stock optimisation of '{name}': {result.n:,} SKUs")
    print(f"  MEIO (guaranteed-service model): holding cost of safety stock "
          f"{_fmt(float(meio['objective']))} {currency}/period, "
          + ("optimal" if meio["exact"] else
             f"within {100 * float(meio['gap']):.2f}% of optimal ({meio['status']})")
          + f", {float(meio['seconds']):.2f} s")
    now = report.position
    print(f"  Safety-stock investment ({currency}): current {_fmt(now['ss_investment_current'])}"
          f", SEIO {_fmt(now['ss_investment_seio'])}, MEIO {_fmt(now['ss_investment_meio'])}"
          f" at the SKUs' own targets (demand-weighted {100 * now['service_target']:.1f}%)")
    print(f"\nTrade-off: investment ({currency}) for one cycle-service target at every "
          "demand SKU\n  (with one target everywhere the best placement does not depend on it: "
          "stocks scale with z)")
    print(f"  {'target':>7}  {'SEIO':>14}  {'MEIO':>14}  {'saving':>7}")
    for row in curve.curve.itertuples():
        saving = 1 - row.meio_investment / row.seio_investment if row.seio_investment else 0
        print(f"  {100 * row.service_target:>6.1f}%  {_fmt(row.seio_investment):>14}  "
              f"{_fmt(row.meio_investment):>14}  {100 * saving:>6.1f}%")
    print("\nSimulation of the customer-facing SKUs "
          f"({args.runs} runs x 52 periods, demand-weighted):")
    for check in report.simulations:
        print(f"  {check.policy.upper()}: target {100 * check.network_target:.2f}%, achieved "
              f"{100 * check.network_achieved:.2f}% ({check.gap_points:+.2f} points, "
              f"{len(check.skus):,} SKUs)")
    top = skus.head(args.top)
    print(f"\nLargest MEIO safety-stock investments (top {len(top)}):")
    print(f"  {'item':<22} {'site':<6} {'S':>3} {'SI':>3} {'tau':>4} {'SS SEIO':>10} "
          f"{'SS MEIO':>10} {'value':>12}")
    for row in top.itertuples():
        print(f"  {row.item_id:<22} {row.site_id:<6} {_fmt(row.S):>3} {_fmt(row.SI):>3} "
              f"{_fmt(row.tau):>4} {_fmt(row.ss_recommended_seio):>10} "
              f"{_fmt(row.ss_recommended_meio):>10} {_fmt(row.meio_investment):>12}")
    return 0


def _jsonable(row: dict) -> dict:
    """A row of values as JSON takes them: numbers (NaN and infinities as null), booleans,
    text."""
    out = {}
    for key, value in row.items():
        if isinstance(value, (bool, np.bool_)):
            out[key] = bool(value)
        elif isinstance(value, (int, np.integer)):
            out[key] = int(value)
        elif isinstance(value, (float, np.floating)):
            number = float(value)
            out[key] = None if number != number or number in (float("inf"), float("-inf")) \
                else number
        else:
            out[key] = None if value is None else str(value)
    return out


def cmd_scenario(args: argparse.Namespace) -> int:
    with Store.open(args.db) as store:
        action = args.action
        if action == "list":
            infos = store.scenarios()
            if args.json:
                print(json.dumps([i.as_json() for i in infos], indent=2))
            else:
                _print_tree(infos)
        elif action == "fork":
            store.fork(args.source, args.name)
            _say(f"Forked '{args.name}' from '{args.source}'")
        elif action == "rename":
            store.rename(args.name, args.to)
            _say(f"Renamed '{args.name}' to '{args.to}'")
        elif action == "delete":
            store.delete(args.name)
            _say(f"Deleted '{args.name}'")
        elif action == "approve":
            store.approve(args.name)
            _say(f"Approved '{args.name}'")
        elif action == "reopen":
            store.set_status(args.name, "draft")
            _say(f"'{args.name}' is a draft again")
        elif action == "commit":
            parent = store.commit_into_parent(args.name)
            _say(f"Committed the changes of '{args.name}' into '{parent}'")
        elif action == "diff":
            records = store.diff(args.name, include_undone=True)
            if args.json:
                print(dumps_json([{"step": r.seq, "table": r.change.table, "op": r.change.op,
                                   "key": r.change.key, "values": r.change.values,
                                   "undone": r.undone} for r in records]))
            elif not records:
                print(f"'{args.name}' has no changes of its own")
            else:
                for r in records:
                    mark = " (undone)" if r.undone else ""
                    print(f"{r.seq:>4}  {r.change.describe()}{mark}")
    return 0


def _print_tree(infos: Sequence) -> None:
    depth: dict[str | None, int] = {None: -1}
    for info in infos:
        depth[info.name] = depth[info.parent] + 1
        indent = "  " * depth[info.name]
        redo = f", {info.undone} undone" if info.undone else ""
        print(f"{indent}{info.name}  [{info.status}, {info.changes} changes{redo}]")


def _pairs(texts: Sequence[str] | None, what: str) -> dict[str, str]:
    """``COL=VAL[,COL=VAL]`` options (repeatable) as a dict."""
    pairs: dict[str, str] = {}
    for text in texts or []:
        parts = text.split(",") if what == "--key" else [text]
        for part in parts:
            if "=" not in part:
                raise UsageError(f"{what} {text}: expected COL=VALUE")
            name, value = part.split("=", 1)
            pairs[name.strip()] = value
    return pairs


def cmd_edit(args: argparse.Namespace) -> int:
    key = _pairs(args.key, "--key")
    values = _pairs(args.set, "--set")
    if not args.delete and not values:
        raise UsageError("edit: give at least one --set COL=VALUE (or --delete)")
    if args.delete and values:
        raise UsageError("edit: --delete takes no --set")
    with Store.open(args.db) as store:
        change = store.parse_edit(args.table, key, values, "delete" if args.delete else "upsert")
        edited = store.edit(args.scenario, [change])
    _say(f"'{args.scenario}': {edited.description}")
    return 0


def cmd_undo_redo(args: argparse.Namespace) -> int:
    with Store.open(args.db) as store:
        edited = store.undo(args.scenario) if args.command == "undo" else store.redo(
            args.scenario)
    _say(f"{args.command.capitalize()} in '{args.scenario}': {edited.description}")
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    # the window is grabbed, never shown: no display needed (set before Qt loads)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.views.app import screenshot

    written = screenshot(Path(args.db) if args.db else None, Path(args.out))
    _say("\n".join(str(p) for p in written))
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from app.views.app import run_gui

    return run_gui(Path(args.db) if args.db else None)


# --- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Echelon inventory scenario planning. No command opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"Echelon {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str,
            db: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if db:
            p.add_argument("--db", required=True, metavar="PATH", help="workspace file")
        p.set_defaults(handler=handler)
        return p

    p = add("demo", cmd_demo, "create a workspace holding the generated demo company")
    p.add_argument("--skus", type=int, default=450, metavar="N", help="about N SKUs (450)")
    p.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (7)")
    p.add_argument("--csv", metavar="DIR", help="also write the demo data as an import folder")

    p = add("import", cmd_import, "import a folder of CSVs (or an .xlsx) as a new workspace")
    p.add_argument("source", metavar="DIR_OR_XLSX")

    p = add("export", cmd_export, "export a scenario as a folder of CSVs")
    p.add_argument("--scenario", default=ROOT_NAME, metavar="NAME")
    p.add_argument("--out", required=True, metavar="DIR")

    p = add("plan", cmd_plan, "plan a scenario and print its KPIs")
    p.add_argument("--scenario", metavar="NAME", help="scenario (default: the Baseline)")
    p.add_argument("--json", action="store_true")

    p = add("compare", cmd_compare, "KPIs of scenarios side by side, deltas against the first")
    p.add_argument("--scenarios", required=True, metavar="A,B[,...]")
    p.add_argument("--json", action="store_true")

    p = add("optimize", cmd_optimize, "safety-stock optimisation: MEIO result, trade-off "
            "table and a simulation check of a scenario")
    p.add_argument("--scenario", metavar="NAME", help="scenario (default: the Baseline)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--runs", type=int, default=500, metavar="N",
                   help="simulation runs per SKU (500)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="simulation seed (0)")
    p.add_argument("--top", type=int, default=15, metavar="N",
                   help="SKUs listed by investment (15)")

    p = add("scenario", cmd_scenario, "list, fork, rename, delete, approve or commit scenarios",
            db=False)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, help_text in (
        ("list", "the scenario tree"),
        ("fork", "a new scenario on top of another"),
        ("rename", "rename a scenario"),
        ("delete", "delete a scenario without children"),
        ("approve", "mark a scenario approved (locks it)"),
        ("reopen", "set an approved scenario back to draft"),
        ("commit", "move a scenario's changes into its parent"),
        ("diff", "a scenario's own changes (its diff against its parent)"),
    ):
        a = actions.add_parser(action, help=help_text, description=help_text)
        a.add_argument("--db", required=True, metavar="PATH")
        if action == "list":
            a.add_argument("--json", action="store_true")
        elif action == "fork":
            a.add_argument("--from", dest="source", required=True, metavar="PARENT")
            a.add_argument("--name", required=True, metavar="NEW")
        elif action == "rename":
            a.add_argument("--name", required=True, metavar="OLD")
            a.add_argument("--to", required=True, metavar="NEW")
        else:
            a.add_argument("--name", required=True, metavar="NAME")
            if action == "diff":
                a.add_argument("--json", action="store_true")

    p = add("edit", cmd_edit, "change one row of a scenario (not the Baseline)")
    p.add_argument("--scenario", required=True, metavar="NAME")
    p.add_argument("--table", required=True, metavar="TABLE")
    p.add_argument("--key", action="append", required=True, metavar="COL=VAL[,COL=VAL]")
    p.add_argument("--set", action="append", metavar="COL=VAL")
    p.add_argument("--delete", action="store_true", help="delete the row instead")

    for name in ("undo", "redo"):
        p = add(name, cmd_undo_redo, f"{name} the last step of a scenario")
        p.add_argument("--scenario", required=True, metavar="NAME")

    p = add("screenshot", cmd_screenshot, "save PNGs of the app's window", db=False)
    p.add_argument("--db", metavar="PATH", help="workspace file (default: the user's own)")
    p.add_argument("--out", required=True, metavar="DIR")

    p = add("gui", cmd_gui, "open the desktop app (the default)", db=False)
    p.add_argument("--db", metavar="PATH", help="workspace file (default: the user's own)")
    return parser


def _say(text: str) -> None:
    print(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    try:
        return args.handler(args)
    except DataProblems as err:
        for line in err.lines():
            print(line, file=sys.stderr)
        return 2
    except (WorkspaceError, UsageError, PlanInputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into a reader that stopped (head, less): fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted; nothing was written by the step in progress", file=sys.stderr)
        return 130
    except Exception as err:
        if os.environ.get("ECHELON_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err} (set ECHELON_DEBUG=1 for details)",
              file=sys.stderr)
        return 1

r"""The ``symgrad`` command: list, verify and render derivations.

Only argument parsing and printing live here; every computation is a call into
the library (:func:`symgrad.derivation.run_derivation`, :func:`symgrad.render.write_appendix`,
:func:`symgrad.render.preamble`).

::

    symgrad list                          the built-in derivations, one line each
    symgrad verify DERIVATION [--json]    every check and its verdict
    symgrad render [DERIVATION ...]       the LaTeX appendix (and its PDF, with TeX)
    symgrad render --preamble             the preamble lines for \input-ing a --fragment

``DERIVATION`` is the key of a built-in derivation (``symgrad list``) or the
path of a ``.py`` file that defines ``derivation()``.

Exit status of ``verify`` and ``render``:

* 0: no claim is refuted (claims the derivation sets out to refute, such as
  ``Delta grad != 0``, do not count);
* 1: a claim is refuted that the derivation did not declare as expected;
* 2: an error (a usage error, a file that cannot be loaded, a
  reparametrisation that is not a diffeomorphism, a part of a derivation that
  could not be computed, the ``--timeout`` of the whole command reached);
* 3: with ``--require-proof``, nothing is refuted but some claim is only
  supported numerically or undecided.

Every non-zero status is explained by one line on standard error
(``symgrad: error: ...``, or ``symgrad: refuted: ...`` / ``symgrad: not proved: ...``);
``--debug`` prints the traceback of an error instead.  ``--budget S`` bounds
each check (each claim's decision, each computation of the derivation);
``--timeout S`` bounds the whole command.  Progress goes to standard error,
and only when it is a terminal.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from . import __version__
from ._budget import DEFAULT_BUDGET, Budget, OutOfMemory, OutOfTime, set_memory_budget
from .derivation import Derivation, Report, builtin_derivations, load_derivation, run_derivation
from .exceptions import SymgradError
from .proof import Verdict
from .render import DEFAULT_TITLE, preamble, write_appendix
from .render.context import derivation_context

__all__ = ["main", "build_parser"]

PROG = "symgrad"


class CommandError(Exception):
    """An error to report as ``symgrad: error: ...`` with a given exit status."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


class Progress:
    """Progress lines on standard error, only when it is a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.t0 = time.perf_counter()
        Progress.latest = "starting"

    #: the last step announced by any progress reporter (named when a --timeout stops a command)
    latest = "starting"

    def say(self, text: str) -> None:
        Progress.latest = text
        if self.enabled:
            print(f"{PROG}: [{time.perf_counter() - self.t0:6.1f} s] {text}", file=self.stream, flush=True)

    def step(self, prefix: str) -> Callable[[str], None]:
        """A ``progress=`` callback for :func:`symgrad.run_derivation` that prefixes each step."""
        return lambda step: self.say(f"{prefix}: {step}")


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

def _load(name: str) -> Derivation:
    try:
        return load_derivation(name)
    except SymgradError as exc:
        msg = str(exc)
        if name not in msg:
            msg = f"derivation {name!r}: {msg}"
        raise CommandError(msg) from exc


def _run(d: Derivation, args: argparse.Namespace, progress: Progress, prefix: str) -> Report:
    try:
        return run_derivation(d, budget=args.budget, seed=args.seed, progress=progress.step(prefix))
    except SymgradError as exc:
        raise CommandError(f"derivation {d.key!r}: {exc}") from exc


def cmd_list(args: argparse.Namespace) -> int:
    rows = []
    for key, path in builtin_derivations():
        try:
            title = load_derivation(path).title
        except SymgradError as exc:
            title = f"(cannot be loaded: {exc})"
        rows.append((key, title))
    width = max((len(k) for k, _ in rows), default=0)
    for key, title in rows:
        print(f"{key:<{width}}  {title}")
    return 0


def _status(reports: Sequence[Report], require_proof: bool) -> tuple[int, str]:
    """The exit status of a command over ``reports`` and the one line that explains it."""
    errors = [f"{r.derivation.key}: {e}" for r in reports for e in r.errors]
    if errors:
        return 2, f"{PROG}: error: {errors[0]}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
    refuted = [f"{r.derivation.key}: {n}" for r in reports for n, _ in r.refuted]
    if refuted:
        return 1, f"{PROG}: refuted: {'; '.join(refuted)} (a claim the derivation does not expect to fail)"
    unproved = [f"{r.derivation.key}: {n} ({c.verdict.name.lower()})" for r in reports for n, c in r.unproved]
    if require_proof and unproved:
        return 3, f"{PROG}: not proved: {'; '.join(unproved)} (--require-proof asks for proofs)"
    return 0, ""


def cmd_verify(args: argparse.Namespace) -> int:
    progress = Progress()
    progress.say(f"loading {args.derivation}")
    d = _load(args.derivation)
    rep = _run(d, args, progress, d.key)
    status, why = _status([rep], args.require_proof)
    if args.json:
        out = rep.as_json()
        out["seed"] = args.seed
        out["status"] = status
        print(json.dumps(out, indent=2, default=str))
    else:
        print("\n".join(_terminal(line) for line in rep.summary_lines()))
        if status == 0:
            shown = sum(1 for n, c in rep.checks if rep.expected(n) and c.verdict is Verdict.REFUTED)
            print(f"OK: {len(rep.checks)} checks, no claim refuted"
                  + (f" except the {shown} the derivation sets out to refute" if shown else ""))
        else:
            bad = [n for n, _ in rep.refuted] + [f"error: {e}" for e in rep.errors]
            if status == 3:
                bad = [f"{n} not proved" for n, _ in rep.unproved]
            print(f"FAILED: {'; '.join(bad)}")
    if why:
        print(why, file=sys.stderr)
    return status


def cmd_preamble(args: argparse.Namespace) -> int:
    """``render --preamble``: the preamble lines a host document needs to ``\\input`` a fragment."""
    text = preamble(theorems=not args.no_theorems)
    if args.output_given:
        out = Path(args.output)
        try:
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{args.basename}-preamble.tex"
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write the preamble to {args.output}: {exc}") from exc
        print(path)
    else:
        print(text, end="")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    if args.preamble:
        return cmd_preamble(args)
    progress = Progress()
    names: Sequence[Any] = args.derivations or [path for _key, path in builtin_derivations()]
    if not names:
        raise CommandError("no derivations to render")
    reports = []
    for i, name in enumerate(names, 1):
        label = Path(name).stem if isinstance(name, Path) else str(name)
        progress.say(f"[{i}/{len(names)}] loading {label}")
        d = _load(str(name))
        reports.append(_run(d, args, progress, f"[{i}/{len(names)}] {d.key}"))
    progress.say("rendering LaTeX")
    pdf = False if (args.fragment or args.pdf is False) else args.pdf
    if pdf is not False:
        progress.say("rendering LaTeX and compiling the PDF with latexmk")
    result = write_appendix([derivation_context(r).as_dict() for r in reports], args.output,
                            basename=args.basename, fragment=args.fragment, pdf=pdf, template_dirs=args.templates,
                            title=args.title or DEFAULT_TITLE)
    print(result["tex"])
    if result.get("pdf"):
        print(result["pdf"])
    elif pdf is None and not args.fragment:
        print(f"{PROG}: no PDF written: latexmk is not on PATH", file=sys.stderr)
    sup = result.get("supplement")
    overfull = list(result.get("overfull") or [])
    if sup is not None:
        print(sup["tex"])
        if sup.get("pdf"):
            print(sup["pdf"])
        overfull += sup.get("overfull") or []
    if overfull:
        print(f"{PROG}: warning: {len(overfull)} overfull box(es) in the PDF, the worst "
              f"{max(w for w, _ in overfull):.1f}pt too wide or too high (see {result['log']})", file=sys.stderr)
    status, why = _status(reports, args.require_proof)
    if why:
        print(why, file=sys.stderr)
    return status


# ---------------------------------------------------------------------------
# Parser and entry point
# ---------------------------------------------------------------------------

def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError("the budget must be a positive finite number of seconds")
    return value


def _gigabytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of gigabytes") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError("the memory budget must be a positive finite number of gigabytes")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback on errors")
    checks = argparse.ArgumentParser(add_help=False)
    checks.add_argument("--budget", type=_seconds, default=DEFAULT_BUDGET, metavar="S",
                        help="seconds allowed for each check: each claim's decision over all its levels, "
                             "and each computation of a derivation (default: %(default)s)")
    checks.add_argument("--timeout", type=_seconds, default=None, metavar="S",
                        help="seconds allowed for the whole command (default: no limit); when reached, "
                             "the command stops with exit status 2 and says where it was")
    checks.add_argument("--memory", type=_gigabytes, default=None, metavar="GB",
                        help="gigabytes by which the process may grow during one computation; a check that "
                             "would need more stops and says so, like one out of time (default: half the "
                             "physical memory, at most 8)")
    checks.add_argument("--require-proof", action="store_true",
                        help="exit with status 3 when a claim is only supported numerically or undecided")
    checks.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed of the random points used by probabilistic and numeric checks "
                             "(default: %(default)s)")

    parser = argparse.ArgumentParser(
        prog=PROG, parents=[common],
        description="Exact symbolic natural gradients with proofs of parametrisation independence "
                    "(van Oostrum & Ay).",
        epilog="DERIVATION is a built-in key (see 'symgrad list') or the path of a .py file defining "
               "derivation().")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", parents=[common], help="list the built-in derivations",
                       description="List the built-in derivations, one line each: key and title.")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("verify", parents=[common, checks], help="run a derivation and print every verdict",
                       description="Run a derivation and print each check with its verdict. Exit status: 0 when "
                                   "no claim is refuted (the expected refutations, such as 'Delta grad != 0', "
                                   "aside); 1 when one is; 2 on errors; 3 with --require-proof when a claim "
                                   "is only numeric or undecided.")
    p.add_argument("derivation", metavar="DERIVATION", help="a built-in key or a path to a .py file")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("render", parents=[common, checks], help="write the LaTeX appendix (and PDF)",
                       description="Run derivations and write them as one LaTeX appendix; with no "
                                   "DERIVATION, all built-in ones. The PDF is compiled when latexmk "
                                   "is on PATH.")
    p.add_argument("derivations", nargs="*", metavar="DERIVATION",
                   help="built-in keys or paths to .py files (default: all built-in derivations)")
    p.add_argument("-o", "--output", default=None, metavar="DIR",
                   help="output directory (default: appendix)")
    p.add_argument("--templates", action="append", default=[], metavar="DIR",
                   help="a directory of templates searched before the package's (repeatable)")
    p.add_argument("--fragment", action="store_true",
                   help="write only the body, for \\input into a paper (no PDF)")
    pdf = p.add_mutually_exclusive_group()
    pdf.add_argument("--pdf", dest="pdf", action="store_true", default=None,
                     help="require the PDF (error if latexmk is missing)")
    pdf.add_argument("--no-pdf", dest="pdf", action="store_false", help="write only the .tex files")
    p.add_argument("--title", default=None, help="the document title")
    p.add_argument("--basename", default="appendix", help="file name without .tex (default: %(default)s)")
    p.add_argument("--preamble", action="store_true",
                   help="print the preamble lines a document needs to \\input a --fragment (packages, "
                        "\\allowdisplaybreaks, theorem environments) and run nothing; with -o, write them to "
                        "DIR/BASENAME-preamble.tex")
    p.add_argument("--no-theorems", action="store_true",
                   help="with --preamble: leave out the \\newtheorem lines (for a document that defines "
                        "theorem, proposition, definition and remark itself)")
    p.set_defaults(func=cmd_render)
    return parser


def _one_line(exc: BaseException) -> str:
    """The first line of the message (the rest, e.g. a classification or TeX's log, is shown by --debug)."""
    text = str(exc).strip() or type(exc).__name__
    first, _, rest = text.partition("\n")
    return first.rstrip(":") + (" (--debug shows the details)" if rest.strip() else "")


def _terminal(line: str) -> str:
    """A report line in a reader's notation: ``≠`` for ``!=`` (the formulas are already written with
    ``^`` and juxtaposition, :meth:`symgrad.derivation.Report.summary_lines`), ASCII kept when the
    terminal's encoding cannot show these signs."""
    line = line.replace(" != ", " ≠ ")
    enc = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        line.encode(enc)
    except (UnicodeEncodeError, LookupError):
        line = line.replace(" ≠ ", " != ").replace(" ≈ ", " ~ ").replace("±", "+-")
    return line


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``symgrad`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) == "render":
        args.output_given = args.output is not None
        if args.output is None:
            args.output = "appendix"
        if args.preamble and args.derivations:
            parser.error("render --preamble prints the preamble lines and takes no DERIVATION")
    debug = getattr(args, "debug", False)
    timeout = getattr(args, "timeout", None)
    if getattr(args, "memory", None) is not None:
        set_memory_budget(args.memory * 2**30)
    whole = Budget(timeout)
    try:
        with whole.limit():
            return args.func(args)
    except OutOfTime as exc:
        if not whole.owns(exc):  # pragma: no cover - an enclosing caller's own deadline
            raise
        if isinstance(exc, OutOfMemory):
            print(f"{PROG}: error: the command stopped at {exc.spent()} (while at: {Progress.latest}); "
                  "give it more with --memory GB, or less time per check with --budget", file=sys.stderr)
            return 2
        print(f"{PROG}: error: the command reached its --timeout of {timeout:g} s (while at: "
              f"{Progress.latest}); give more time with --timeout, or less per check with --budget", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # every error becomes one line unless --debug
        if debug:
            traceback.print_exc()
        status = exc.status if isinstance(exc, CommandError) else 2
        if isinstance(exc, (CommandError, SymgradError)):
            message = _one_line(exc)
        else:
            message = (f"unexpected {type(exc).__name__}: {_one_line(exc)} "
                       "(this is a bug in symgrad or in the derivation; run with --debug for the traceback)")
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Exports of ``nsr inspect --export``: grounded symbol trees as CoNLL, programs as JSON.

The file's suffix picks the export. ``.conll`` writes one 10-column CoNLL-X sentence
per input through ``nltk``'s ``DependencyGraph``: FORM is the token, CPOSTAG and POSTAG
the symbol (``s12``), FEATS the node's value (``value=7``; a token list as
``value=[I_JUMP,I_WALK]``), HEAD the parent (0 for the root) and DEPREL ``ROOT`` or
``argK``, the node being argument K of its parent's program. ``.json`` writes every
symbol with its tokens, arity, program, type, sympy form and the examples it explains.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nltk.parse.dependencygraph import DependencyGraph

from nsr.errors import ConfigError
from nsr.gss import GSSNode

EXPORTS = {".conll": "trees", ".json": "programs"}
FORMAT_VERSION = 1


def export_kind(path: Path) -> str:
    """``trees`` or ``programs``, from the suffix; any other suffix is a ConfigError."""
    kind = EXPORTS.get(Path(path).suffix.lower())
    if kind is None:
        suffix = Path(path).suffix or "(none)"
        raise ConfigError(f"--export {path}: unknown file type {suffix!r}; use .conll "
                          "for trees or .json for programs")
    return kind


def check_exports(paths: Sequence[Path], have_inputs: bool) -> None:
    """Refuse, before any work, an unknown suffix or a tree export without inputs."""
    for path in paths:
        if export_kind(path) == "trees" and not have_inputs:
            raise ConfigError(f"--export {path}: CoNLL exports the trees of inputs; give "
                              "--input or --inputs-file")


def value_text(value: Any) -> str:
    """A node value as one CoNLL field (no spaces): ``7``, ``[A,B]``, ``undefined``."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ",".join(value) + "]"
    return str(value)


def dependency_graph(root: GSSNode) -> DependencyGraph:
    """One grounded symbol tree as an nltk ``DependencyGraph`` (addresses from 1)."""
    placed: dict[int, tuple[GSSNode, int, int | None]] = {}
    stack: list[tuple[GSSNode, int, int | None]] = [(root, -1, None)]
    while stack:
        node, head, position = stack.pop()
        placed[node.index] = (node, head, position)
        stack.extend((child, node.index, k) for k, child in enumerate(node.children))
    graph = DependencyGraph(top_relation_label="ROOT")
    for i in sorted(placed):
        node, head, position = placed[i]
        graph.add_node({"address": i + 1, "word": node.token, "lemma": "_",
                        "ctag": f"s{node.symbol}", "tag": f"s{node.symbol}",
                        "feats": "value=" + value_text(node.value), "head": head + 1,
                        "rel": "ROOT" if head < 0 else f"arg{position}",
                        "deps": defaultdict(list)})
    for i in sorted(placed):
        graph.add_arc(placed[i][1] + 1, i + 1)
    graph.root = graph.nodes[root.index + 1]
    return graph


def conll(trees: Sequence[GSSNode]) -> str:
    """CoNLL-X text of the trees, sentences separated by a blank line."""
    return "\n".join(dependency_graph(t).to_conll(10) for t in trees)


def programs_document(rows: Sequence[dict[str, Any]], **about: Any) -> dict[str, Any]:
    """The JSON export: ``about`` (run, priors, progress, code files) and every symbol."""
    symbols = [{"symbol": r["symbol"], "tokens": list(r["tokens"]), "arity": r["arity"],
                "program": r["program"], "type": r.get("type"), "sympy": r.get("sympy"),
                "explains": ({"matched": r["matched"], "total": r["total"]}
                             if r.get("program") is not None else None)}
               for r in rows]
    return {"format": FORMAT_VERSION, **about, "symbols": symbols}


def write_export(path: Path, *, trees: Sequence[GSSNode], rows: Sequence[dict[str, Any]],
                 about: dict[str, Any]) -> str:
    """Write one export, chosen by the suffix of ``path``; returns what was written."""
    kind = export_kind(path)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "trees":
        path.write_text(conll(trees), encoding="utf-8")
        return f"{len(trees)} tree(s)"
    path.write_text(json.dumps(programs_document(rows, **about), indent=2) + "\n",
                    encoding="utf-8")
    return f"{len(rows)} symbol(s)"

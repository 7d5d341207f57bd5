"""Groups from scored pairs: constrained connected components with deterministic ids.

Edges are joined strongest first. A join is refused when the group would exceed the maximum
size, or when both sides already hold a request from the same agency (one agency does not
file one recovery twice) unless the two rows are identical copies. So a chain of weak links
cannot run away into one huge group. The weakest link used is the group's score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Group:
    members: list[int]  # positions
    links: list[tuple[int, int, float]] = field(default_factory=list)  # spanning edges (i, j, score)
    pair_ids: list[int] = field(default_factory=list)  # scored pairs to explain (index into the pairs table)

    @property
    def weakest(self) -> tuple[int, int, float] | None:
        return min(self.links, key=lambda e: (e[2], e[0], e[1])) if self.links else None


def constrained_groups(edges: pd.DataFrame, agency: np.ndarray, identical: np.ndarray, *, max_size: int
                       ) -> list[Group]:
    """``edges`` has columns i, j, score (positions); ``identical`` flags edges between exact copies."""
    parent: dict[int, int] = {}
    groups: dict[int, Group] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    order = np.lexsort((edges["j"].to_numpy(), edges["i"].to_numpy(), -edges["score"].to_numpy()))
    ii, jj, ss = (edges[c].to_numpy()[order] for c in ("i", "j", "score"))
    same = identical[order]
    for i, j, score, copy in zip(ii.tolist(), jj.tolist(), ss.tolist(), same.tolist()):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        gi, gj = groups.get(ri, Group([i])), groups.get(rj, Group([j]))
        if len(gi.members) + len(gj.members) > max_size:
            continue
        if not copy and _agencies(gi, agency) & _agencies(gj, agency):
            continue
        parent[rj] = ri
        groups[ri] = Group(gi.members + gj.members, gi.links + gj.links + [(i, j, score)])
        groups.pop(rj, None)
    return sorted(groups.values(), key=lambda g: min(g.members))


def _agencies(group: Group, agency: np.ndarray) -> set[int]:
    return {int(a) for a in agency[group.members] if a >= 0}

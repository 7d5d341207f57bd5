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
    """``edges`` has columns i, j, score (positions); ``identical`` flags edges between exact copies.
    Each group keeps its members, its agencies and its links as it grows (groups are small: at most
    ``max_size``), so a join costs the size of the two groups, not a scan."""
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    agencies: dict[int, set[int]] = {}
    links: dict[int, list[tuple[int, int, float]]] = {}
    codes = agency.tolist()

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def own(x: int) -> set[int]:
        return {codes[x]} if codes[x] >= 0 else set()

    order = np.lexsort((edges["j"].to_numpy(), edges["i"].to_numpy(), -edges["score"].to_numpy()))
    ii, jj, ss = (edges[c].to_numpy()[order] for c in ("i", "j", "score"))
    same = identical[order]
    for i, j, score, copy in zip(ii.tolist(), jj.tolist(), ss.tolist(), same.tolist()):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        mi, mj = members.get(ri, [i]), members.get(rj, [j])
        if len(mi) + len(mj) > max_size:
            continue
        ai, aj = agencies.get(ri) or own(i), agencies.get(rj) or own(j)
        if not copy and not ai.isdisjoint(aj):
            continue
        parent[rj] = ri
        members[ri], agencies[ri] = mi + mj, ai | aj
        links[ri] = links.get(ri, []) + links.pop(rj, []) + [(i, j, score)]
        members.pop(rj, None)
        agencies.pop(rj, None)
    groups = [Group(m, links[root]) for root, m in members.items()]
    return sorted(groups, key=lambda g: min(g.members))

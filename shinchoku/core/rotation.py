"""The three-year rotation of 事務事業評価: in which FY of a cycle each business is evaluated.

Every business is evaluated once in three years, a third of them each year. `propose` assigns
each business to one FY of the cycle first_fy … first_fy + 2 so that

- the years get a third each: their sizes differ by at most one;
- each department's businesses are spread the same way: per department, at most one apart;
- a business evaluated before (in FY y) is not evaluated again within three years: it goes to a
  year ≥ y + 3. When the balance above leaves no such year for some businesses, as few of them as
  possible fall short, each by as little as possible; a business that could go to several years
  goes to the one three years after its last evaluation (an overdue one to the earliest year).

The balance is a hard constraint and always possible; the three-year rule is then met wherever
any balanced assignment meets it. The result is a minimum-cost flow (businesses → department and
year → year), so it is the best by that measure, and deterministic: the same input in the same
order gives the same rotation.

Plain Python: no Django import.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

CYCLE_YEARS = 3  # a cycle is three fiscal years
GAP = 3  # a business is evaluated again at the earliest three years after its last evaluation


@dataclass(frozen=True)
class Candidate:
    """A business to place: its key (the business id), its department, and the FY it was last
    evaluated in (None if never)."""

    key: Hashable
    department: Hashable
    last_fy: int | None = None


def cycle_years(first_fy: int) -> list[int]:
    """The fiscal years of the cycle that starts in first_fy."""
    return [first_fy + k for k in range(CYCLE_YEARS)]


def earliest_fy(last_fy: int | None) -> int | None:
    """The first FY a business last evaluated in last_fy may be evaluated again."""
    return None if last_fy is None else last_fy + GAP


def too_soon(last_fy: int | None, fy: int) -> bool:
    """Whether evaluating in fy would come within three years of the evaluation in last_fy."""
    return last_fy is not None and fy < last_fy + GAP


def avoidable(last_fy: int | None, first_fy: int) -> bool:
    """Whether the cycle has a year in which the business may be evaluated again."""
    soonest = earliest_fy(last_fy)
    return soonest is None or soonest <= first_fy + CYCLE_YEARS - 1


def share(total: int) -> tuple[int, int]:
    """The fewest and the most a year holds when `total` are spread over the cycle."""
    return total // CYCLE_YEARS, -(-total // CYCLE_YEARS)


def is_balanced(counts: Iterable[int]) -> bool:
    """Whether counts per year differ by at most one."""
    values = list(counts)
    return not values or max(values) - min(values) <= 1


def year_counts(
    assignment: Mapping[Hashable, int], first_fy: int, keys: Iterable[Hashable] | None = None
) -> list[int]:
    """How many of `keys` (every key by default) each year of the cycle holds."""
    years = cycle_years(first_fy)
    counts = dict.fromkeys(years, 0)
    for key in assignment if keys is None else keys:
        fy = assignment.get(key)
        if fy in counts:
            counts[fy] += 1
    return [counts[fy] for fy in years]


def _cost(last_fy: int | None, fy: int, heavy: int) -> int:
    """What placing a business in fy costs: a breach of the three-year rule weighs `heavy` plus
    how far it falls short; otherwise each year beyond the earliest costs one."""
    soonest = earliest_fy(last_fy)
    if soonest is None:
        return 0
    if fy < soonest:
        return heavy + (soonest - fy)
    return fy - soonest


def propose(candidates: Sequence[Candidate], first_fy: int) -> dict[Hashable, int]:
    """Each candidate's FY in the cycle starting in first_fy (see the module's docstring)."""
    keys = [c.key for c in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("each business may be placed once")
    if not candidates:
        return {}
    years = cycle_years(first_fy)
    # Outside a breach the years of one business differ in cost by at most 2, and a breach's
    # shortfall by at most 3: one breach more weighs more than all those differences together.
    heavy = 5 * len(candidates) + 1
    groups: dict[tuple[Hashable, tuple[int, ...]], list[Candidate]] = {}
    departments: dict[Hashable, int] = {}
    for c in candidates:
        costs = tuple(_cost(c.last_fy, fy, heavy) for fy in years)
        # Shift so that the cheapest year costs 0 (the same choice, smaller numbers).
        low = min(costs)
        groups.setdefault((c.department, tuple(x - low for x in costs)), []).append(c)
        departments[c.department] = departments.get(c.department, 0) + 1

    flow = _BoundedFlow()
    source, sink = flow.node(), flow.node()
    department_year = {(d, k): flow.node() for d in departments for k in range(CYCLE_YEARS)}
    year = [flow.node() for _ in years]
    group_edges: list[tuple[list[Candidate], list[int]]] = []
    for (department, costs), members in groups.items():
        g = flow.node()
        flow.add(source, g, len(members), len(members), 0)
        edges = [
            flow.add(g, department_year[(department, k)], 0, len(members), costs[k])
            for k in range(CYCLE_YEARS)
        ]
        group_edges.append((members, edges))
    for department, size in departments.items():
        low, high = share(size)
        for k in range(CYCLE_YEARS):
            flow.add(department_year[(department, k)], year[k], low, high, 0)
    low, high = share(len(candidates))
    for k in range(CYCLE_YEARS):
        flow.add(year[k], sink, low, high, 0)
    flow.add(sink, source, 0, len(candidates), 0)
    flow.solve()

    assignment: dict[Hashable, int] = {}
    for members, edges in group_edges:
        queue = iter(members)
        for k, edge in enumerate(edges):
            for _ in range(flow.flow(edge)):
                assignment[next(queue).key] = years[k]
    return {c.key: assignment[c.key] for c in candidates}


class _BoundedFlow:
    """A minimum-cost circulation with lower and upper bounds on the edges, small and exact.

    Lower bounds are moved to a super source and sink (the textbook reduction); the minimum-cost
    flow between those is found by successive shortest paths (Bellman-Ford with a queue, since
    residual edges cost less than zero). The graphs here have a few dozen nodes.
    """

    def __init__(self) -> None:
        self.graph: list[list[list[int]]] = []  # per node: [to, capacity, cost, reverse index]
        self.excess: list[int] = []
        self.lows: list[int] = []
        self.edges: list[tuple[int, int]] = []

    def node(self) -> int:
        self.graph.append([])
        self.excess.append(0)
        return len(self.graph) - 1

    def _edge(self, u: int, v: int, capacity: int, cost: int) -> tuple[int, int]:
        self.graph[u].append([v, capacity, cost, len(self.graph[v])])
        self.graph[v].append([u, 0, -cost, len(self.graph[u]) - 1])
        return u, len(self.graph[u]) - 1

    def add(self, u: int, v: int, low: int, high: int, cost: int) -> int:
        """An edge u → v carrying between low and high units at `cost` each; its handle."""
        if not 0 <= low <= high:
            raise ValueError("bounds must satisfy 0 <= low <= high")
        self.edges.append(self._edge(u, v, high - low, cost))
        self.lows.append(low)
        self.excess[v] += low
        self.excess[u] -= low
        return len(self.edges) - 1

    def flow(self, handle: int) -> int:
        u, i = self.edges[handle]
        v, _capacity, _cost, back = self.graph[u][i]
        return self.lows[handle] + self.graph[v][back][1]

    def solve(self) -> None:
        source, sink = self.node(), self.node()
        need = 0
        for v, extra in enumerate(self.excess[:source]):
            if extra > 0:
                self._edge(source, v, extra, 0)
                need += extra
            elif extra < 0:
                self._edge(v, sink, -extra, 0)
        sent = 0
        while sent < need:
            path = self._cheapest_path(source, sink)
            if path is None:
                raise ValueError("the bounds cannot all be met")
            push = min(self.graph[u][i][1] for u, i in path)
            for u, i in path:
                edge = self.graph[u][i]
                edge[1] -= push
                self.graph[edge[0]][edge[3]][1] += push
            sent += push

    def _cheapest_path(self, source: int, sink: int) -> list[tuple[int, int]] | None:
        n = len(self.graph)
        infinite = float("inf")
        distance: list[float] = [infinite] * n
        previous: list[tuple[int, int] | None] = [None] * n
        queued = [False] * n
        distance[source] = 0
        queue = deque([source])
        queued[source] = True
        while queue:
            u = queue.popleft()
            queued[u] = False
            for i, (v, capacity, cost, _back) in enumerate(self.graph[u]):
                if capacity > 0 and distance[u] + cost < distance[v]:
                    distance[v] = distance[u] + cost
                    previous[v] = (u, i)
                    if not queued[v]:
                        queue.append(v)
                        queued[v] = True
        if distance[sink] == infinite:
            return None
        path = []
        v = sink
        while v != source:
            step = previous[v]
            assert step is not None
            path.append(step)
            v = step[0]
        path.reverse()
        return path

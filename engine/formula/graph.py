"""Step dependency graph: topological evaluation order with `order` as tie-break, and named cycles."""

from __future__ import annotations

import heapq


def evaluation_order(deps: dict[str, set[str]], order: dict[str, int]) -> tuple[list[str], list[list[str]]]:
    """Return (order, cycles). Kahn's algorithm, always taking the ready step with the lowest `order`.

    deps maps each step to the steps it references. Steps on or behind a cycle are left out of the
    order; each cycle is reported once as a closed path [a, b, a].
    """
    users: dict[str, set[str]] = {s: set() for s in deps}
    pending = {s: len(d) for s, d in deps.items()}
    for s, d in deps.items():
        for dep in d:
            users[dep].add(s)
    ready = [(order[s], s) for s, n in pending.items() if n == 0]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        _, s = heapq.heappop(ready)
        result.append(s)
        for user in users[s]:
            pending[user] -= 1
            if pending[user] == 0:
                heapq.heappush(ready, (order[user], user))
    left = {s for s in deps if s not in set(result)}
    return result, _cycles(deps, left, order) if left else []


def _cycles(deps: dict[str, set[str]], left: set[str], order: dict[str, int]) -> list[list[str]]:
    """Find distinct cycles among the unresolved steps (iterative DFS, stable by `order`)."""
    cycles: list[list[str]] = []
    seen_cycle: set[frozenset[str]] = set()
    done: set[str] = set()
    for start in sorted(left, key=lambda s: (order[s], s)):
        if start in done:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        stack = [(start, iter(sorted((d for d in deps[start] if d in left), key=lambda s: (order[s], s))))]
        path.append(start)
        on_path[start] = 0
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                on_path.pop(node, None)
                done.add(node)
                continue
            if nxt in on_path:
                cyc = path[on_path[nxt] :] + [nxt]
                key = frozenset(cyc)
                if key not in seen_cycle:
                    seen_cycle.add(key)
                    cycles.append(cyc)
            elif nxt not in done:
                on_path[nxt] = len(path)
                path.append(nxt)
                stack.append((nxt, iter(sorted((d for d in deps[nxt] if d in left), key=lambda s: (order[s], s)))))
    return cycles

"""Builds the values of tests/vectors/params.json in Python (the core's tests run it too).

A kind this language has no value for raises ``Unbuildable``: the case is not its.
"""

import datetime


class Unbuildable(Exception):
    pass


def fill(char, size):
    """A string of ``char`` (padded with x) whose JSON is ``size`` bytes long."""
    unit = len(char.encode())
    count = (size - 2) // unit
    return char * count + "x" * (size - 2 - count * unit)


def shared(node, limit, parents):
    address = {"street": "Main St 1"}
    return {"billing": address, "shipping": address}


BUILDERS = {
    "nan": lambda node, limit, parents: float("nan"),
    "inf": lambda node, limit, parents: float("inf"),
    "-inf": lambda node, limit, parents: float("-inf"),
    "function": lambda node, limit, parents: lambda: 1,
    "date": lambda node, limit, parents: datetime.datetime(1970, 1, 1)
    + datetime.timedelta(milliseconds=node["ms"]),
    "datetime": lambda node, limit, parents: datetime.datetime(2026, 11, 24, 12, 30),
    "fill": lambda node, limit, parents: fill(node["char"], limit + node["bytes"]),
    "shared": shared,
    "tuple": lambda node, limit, parents: tuple(build(v, limit, parents) for v in node["items"]),
    "pyset": lambda node, limit, parents: set(node["items"]),
    "object": lambda node, limit, parents: object(),
    "int": lambda node, limit, parents: int(node["value"]),
    "bytes": lambda node, limit, parents: b"x",
    "dict": lambda node, limit, parents: {k: build(v, limit, parents) for k, v in node["entries"]},
}


def build(node, limit, parents=None):
    """The value a case's JSON stands for; ``limit`` is the path's params limit."""
    parents = [] if parents is None else parents
    if isinstance(node, list):
        built = []
        parents.append(built)
        built.extend(build(item, limit, parents) for item in node)
        parents.pop()
        return built
    if not isinstance(node, dict):
        return node
    if node.get("$") == "cycle":
        return parents[len(parents) - 1 - node["up"]]
    if "$" in node:
        if node["$"] not in BUILDERS:
            raise Unbuildable(node["$"])
        return BUILDERS[node["$"]](node, limit, parents)
    built = {}
    parents.append(built)
    for key, value in node.items():
        built[key] = build(value, limit, parents)
    parents.pop()
    return built

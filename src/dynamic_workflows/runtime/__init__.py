"""The runtime adapter: the only code that touches ``js``, ``pyodide`` and ``workers``.

It converts values at the boundary and calls the Workflows engine; every
decision (validation, scoping, envelope, event shape) is the core's.
"""

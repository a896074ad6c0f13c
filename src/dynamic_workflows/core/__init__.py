"""The pure core: envelope, validation, id scoping, event shaping, errors.

Nothing here imports ``js``, ``pyodide`` or ``workers``; it runs and is tested
on CPython.
"""

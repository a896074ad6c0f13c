"""Adapt npm pyodide's ``pyodide.asm.mjs`` to workerd's built-in Python glue.

The workerd binary provides ``pyodide-internal:builtin_wrappers``; the stock glue
must call those wrappers instead of the APIs workerd forbids or patches (wasm
compilation, timers, entropy, dynamic-library loading, eval). Each adaptation is
counted: one that must apply and finds nothing fails the build by name, because
a silently unpatched glue only fails later, inside workerd, with a vague error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WRAPPERS = (
    "addEventListener",
    "getRandomValues",
    "location",
    "monotonicDateNow",
    "newWasmModule",
    "patchedApplyFunc",
    "patchedLoadLibData",
    "wasmInstantiate",
    "patched_PyEM_CountFuncParams",
)
_NO_EVAL = (
    "(() => { throw new Error('dynamic-workflows offline runtime: the Pyodide glue tried "
    "to eval code, which workerd forbids'); })()"
)
PRELUDE = (
    f"import {{ {', '.join(WRAPPERS)} }} from 'pyodide-internal:builtin_wrappers';\n"
    f"const __dwNoEval = () => {_NO_EVAL};\n"
)


class AdaptationError(RuntimeError):
    """An adaptation the glue needs found nothing to adapt."""


@dataclass(frozen=True)
class Adaptation:
    step: str
    pattern: str  # a regular expression
    replacement: str
    required: bool = True


ADAPTATIONS = (
    Adaptation("compile wasm", r"new WebAssembly\.Module\b", "newWasmModule"),
    Adaptation("instantiate wasm", r"WebAssembly\.instantiate\(", "wasmInstantiate("),
    Adaptation("monotonic clock", r"\bDate\.now\b", "monotonicDateNow"),
    Adaptation("entropy", r"\bcrypto\.getRandomValues\(", "getRandomValues(Module, "),
    Adaptation(
        "undefined symbols",
        r"(?<![\w$.])reportUndefinedSymbols\(\)",
        "Module.reportUndefinedSymbolsNoOp()",
    ),
    Adaptation(
        "dynamic library memory",
        r"(?<![\w$.])getMemory\(",
        "Module.getMemoryPatched(Module, libName, ",
    ),
    Adaptation(
        "dynamic library data",
        r"function loadLibData\(\)\{",
        "function loadLibData(){"
        "var libData = patchedLoadLibData(Module, libName, flags.rpath);"
        "return flags.loadAsync ? Promise.resolve(libData) : libData;}"
        "function unusedStockLoadLibData(){",
    ),
    Adaptation(
        "count function params",
        r"function _PyEM_CountFuncParams\(func\)\{",
        "function _PyEM_CountFuncParams(func){return patched_PyEM_CountFuncParams(Module, func);",
        required=False,  # absent from 314.0.6; older glues have it
    ),
    Adaptation("no eval", r"(?<![\w$.])eval\(", "__dwNoEval("),
    Adaptation(
        "exports",
        r"export default _createPyodideModule;",
        "export default _createPyodideModule; export { _createPyodideModule };",
    ),
)


def adapt_glue(source: str) -> tuple[str, dict[str, int]]:
    """The adapted glue and how many places each adaptation changed."""
    counts: dict[str, int] = {}
    for adaptation in ADAPTATIONS:
        source, count = re.subn(adaptation.pattern, adaptation.replacement, source)
        counts[adaptation.step] = count
        if adaptation.required and count == 0:
            raise AdaptationError(
                f"glue adaptation {adaptation.step!r} found nothing to adapt "
                f"(pattern {adaptation.pattern!r}); re-check the glue of this pyodide version"
            )
    return PRELUDE + source, counts

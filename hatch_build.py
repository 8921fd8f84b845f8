"""Hatchling build hook: compile the validator's record scanner (``_cscan.c``, a CPython extension)
and, for a wheel, the modules every audited document goes through (:data:`COMPILED`) with mypyc.

A wheel gets both as a platform wheel (``pip install .``, tox); an editable install
(``pip install -e .``) compiles the scanner in place next to its source and leaves the
:data:`COMPILED` modules as Python, so that an edit to one takes effect at once (a stale compiled
module next to its source would shadow the edit). When compiling fails (no C compiler, no Python
headers, mypyc refusing a module) the build still succeeds, with a warning: the validator then runs
its pure-Python scanner (:mod:`lienthong.profiles.validator.native`) and the modules run as
Python, with the same answers. ``LIENTHONG_PURE_PYTHON=1`` skips both compilations.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULE = "lienthong.profiles.validator._cscan"
SOURCES = ["profiles/lienthong/profiles/validator/_cscan.c"]
DEPENDS = [
    "profiles/lienthong/profiles/validator/_cscan_impl.h",
    "profiles/lienthong/profiles/validator/_cscan_cents.h",
    "profiles/lienthong/profiles/validator/_cscan_c14n.h",
]
COMPILED = [
    "profiles/lienthong/profiles/validation.py",
    "profiles/lienthong/profiles/base64_strict.py",
    "profiles/lienthong/profiles/identifiers.py",
    "profiles/lienthong/profiles/versions.py",
    *(
        f"profiles/lienthong/profiles/validator/{name}.py"
        for name in (
            "record_rules",
            "dossier_rules",
            "diagnosis_rules",
            "formats",
            "fields",
            "limits",
            "envelope",
            "scan",
            "registry",
        )
    ),
    *(f"conformance/lienthong/conformance/traffic/{name}.py" for name in ("episodes", "judge", "reading")),
    *(f"conformance/lienthong/conformance/audit/{name}.py" for name in ("stored", "reading")),
]
"""The modules mypyc compiles into a wheel: the Python part of the validator and the traffic judge,
which every document of an audit or a gateway ingest goes through, and the audit's reading of a
stored submission (about 15 % fewer instructions per audited dossier; docs/benchmarks.md § Audit).
Their classes are not subclassed and their functions not replaced outside them: a compiled module
calls its neighbours directly. A hot dataclass among them writes its ``__init__`` out
(``init=False``): mypyc compiles that one, while the one dataclasses generates runs interpreted."""
_ROOTS = ["profiles", "simulators", "conformance", "load", "reports"]
_MYPYC_CONFIG = """[mypy]
mypy_path = {paths}
explicit_package_bases = True
namespace_packages = True
ignore_missing_imports = True
"""
"""mypyc's own type-check settings: the build environment lacks the runtime dependencies (lxml,
SQLAlchemy...), which it then takes as untyped; the project's strict check is tox's ``type``."""


def _build(root: Path, name: str, extensions: list[Any], build_lib: Path, build_temp: Path) -> Any:
    """setuptools' ``build_ext`` of ``extensions`` (with the flags Python was built with) under
    ``build_lib``, run from ``root`` (setuptools takes the sources relative to the project)."""
    from setuptools import Distribution
    from setuptools.command.build_ext import build_ext

    command = build_ext(Distribution({"name": name, "ext_modules": extensions}))
    command.build_lib = str(build_lib)
    command.build_temp = str(build_temp)
    command.ensure_finalized()
    with contextlib.chdir(root):
        command.run()
    return command


def compile_extension(root: Path, build_lib: Path, build_temp: Path) -> Path:
    """Compile the extension under ``build_lib`` (as its package path); the file written."""
    from setuptools import Extension

    extension = Extension(MODULE, SOURCES, depends=DEPENDS)
    command = _build(root, "lienthong-cscan", [extension], build_lib, build_temp)
    return Path(command.get_ext_fullpath(MODULE))


def compile_modules(root: Path, build_lib: Path, build_temp: Path) -> list[tuple[Path, str]]:
    """Compile :data:`COMPILED` with mypyc under ``build_lib``: each file written and its path in
    the wheel (the modules at their package path, mypyc's shared runtime at the top level)."""
    from mypyc.build import mypycify

    config = build_temp / "mypyc.ini"
    build_temp.mkdir(parents=True, exist_ok=True)
    config.write_text(_MYPYC_CONFIG.format(paths=":".join(str(root / r) for r in _ROOTS)), encoding="utf-8")
    with contextlib.chdir(root):  # mypyc takes the modules' paths relative to the project
        extensions = mypycify(
            ["--config-file", str(config), *COMPILED],
            opt_level="3",
            target_dir=str(build_temp / "mypyc"),
            group_name="lienthong",
        )
    command = _build(root, "lienthong-mypyc", extensions, build_lib, build_temp / "temp")
    built = []
    for extension in extensions:
        path = Path(command.get_ext_fullpath(extension.name))
        built.append((path, str(Path(*extension.name.split(".")[:-1]) / path.name)))
    return built


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        if os.environ.get("LIENTHONG_PURE_PYTHON", "") not in ("", "0"):
            self.app.display_warning("LIENTHONG_PURE_PYTHON is set: nothing is compiled")
            return
        root = Path(self.root)
        self._temp = Path(tempfile.mkdtemp(prefix="lienthong-cscan-"))
        editable = version == "editable"
        build_lib = root / "profiles" if editable else self._temp / "lib"
        try:
            built = compile_extension(root, build_lib, self._temp / "temp")
        except Exception as error:  # any compiler or setuptools failure: ship pure Python
            self.app.display_warning(
                f"lienthong: the compiled record scanner was not built ({type(error).__name__}: {error}); "
                "the validator runs its pure-Python scanner (same answers, slower)"
            )
            return
        if editable:
            return  # the source directory is on the path: the module sits next to its source
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["force_include"][str(built)] = str(Path(*MODULE.split(".")[:-1]) / built.name)
        try:
            modules = compile_modules(root, self._temp / "mypyc-lib", self._temp / "mypyc-temp")
        except BaseException as error:  # mypyc exits through SystemExit on a module it refuses
            if isinstance(error, KeyboardInterrupt):
                raise
            self.app.display_warning(
                f"lienthong: the modules of hatch_build.COMPILED were not compiled ({type(error).__name__}: "
                f"{error}); they run as Python (same answers, slower)"
            )
            return
        for path, inside in modules:
            build_data["force_include"][str(path)] = inside

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        temp = getattr(self, "_temp", None)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)

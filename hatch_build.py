"""Hatchling build hook: compile the validator's record scanner (``_cscan.c``, a CPython extension).

A wheel gets the extension as a platform wheel (``pip install .``, tox); an editable install
(``pip install -e .``) compiles it in place next to its source. When compiling fails (no C
compiler, no Python headers) the build still succeeds, with a warning, and the validator runs its
pure-Python scanner (:mod:`lienthong.profiles.validator.native`), which gives the same answers.
``LIENTHONG_PURE_PYTHON=1`` skips the compilation.
"""

from __future__ import annotations

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


def compile_extension(root: Path, build_lib: Path, build_temp: Path) -> Path:
    """Compile the extension under ``build_lib`` (as its package path); the file written."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension(MODULE, SOURCES, depends=DEPENDS)  # with the flags Python was built with
    command = build_ext(Distribution({"name": "lienthong-cscan", "ext_modules": [extension]}))
    command.build_lib = str(build_lib)
    command.build_temp = str(build_temp)
    command.ensure_finalized()
    here = Path.cwd()
    os.chdir(root)  # setuptools takes the sources relative to the project
    try:
        command.run()
    finally:
        os.chdir(here)
    return Path(command.get_ext_fullpath(MODULE))


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        if os.environ.get("LIENTHONG_PURE_PYTHON", "") not in ("", "0"):
            self.app.display_warning("LIENTHONG_PURE_PYTHON is set: the record scanner is not compiled")
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

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        temp = getattr(self, "_temp", None)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
